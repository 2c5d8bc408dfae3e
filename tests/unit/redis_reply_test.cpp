// reply_builder's trees, fed raw RESP through hiredis's reader: every reply type, nesting as deep as
// XREADGROUP's, a reply split at every byte, and several replies in one read.
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <hiredis.h>

#include "queue/redis_reply.hpp"

namespace serentak {
namespace {

using queue::redis_reply;
using queue::reply_builder;

// Feeds `bytes` in pieces of `piece` bytes and returns every reply completed, in order.
std::vector<redis_reply> read_all(std::string_view bytes, std::size_t piece) {
  reply_builder builder;
  redisReader* reader = builder.make_reader();
  EXPECT_NE(reader, nullptr);
  std::vector<redis_reply> replies;
  for (std::size_t at = 0; at < bytes.size(); at += piece) {
    const std::string_view part = bytes.substr(at, piece);
    EXPECT_EQ(redisReaderFeed(reader, part.data(), part.size()), REDIS_OK);
    for (;;) {
      void* raw = nullptr;
      EXPECT_EQ(redisReaderGetReply(reader, &raw), REDIS_OK);
      if (raw == nullptr) break;
      replies.push_back(builder.take());
    }
  }
  redisReaderFree(reader);
  return replies;
}

// An XREADGROUP reply: [[stream, [[id, [i, 7, item, "a\r\nb"]], [id, [i, 8, item, ""]]]]].
const std::string stream_reply =
    "*1\r\n*2\r\n$5\r\nitems\r\n*2\r\n"
    "*2\r\n$3\r\n1-7\r\n*4\r\n$1\r\ni\r\n$1\r\n7\r\n$4\r\nitem\r\n$4\r\na\r\nb\r\n"
    "*2\r\n$3\r\n1-8\r\n*4\r\n$1\r\ni\r\n$1\r\n8\r\n$4\r\nitem\r\n$0\r\n\r\n";

TEST(redis_reply, a_stream_reply_reads_the_same_whole_and_split_at_every_byte) {
  for (std::size_t piece : {stream_reply.size(), std::size_t{1}, std::size_t{7}}) {
    auto replies = read_all(stream_reply, piece);
    ASSERT_EQ(replies.size(), 1U) << "piece " << piece;
    auto root = replies[0].view();
    ASSERT_TRUE(root.is_array());
    ASSERT_EQ(root.size(), 1U);
    EXPECT_EQ(root[0][0].text(), "items");
    auto entries = root[0][1];
    ASSERT_EQ(entries.size(), 2U);
    EXPECT_EQ(entries[0][0].text(), "1-7");
    EXPECT_EQ(entries[0][1].size(), 4U);
    EXPECT_EQ(entries[0][1][1].integer(), 7);
    EXPECT_EQ(entries[0][1][3].text(), "a\r\nb");
    EXPECT_EQ(entries[1][0].text(), "1-8");
    EXPECT_TRUE(entries[1][1][3].is_string());
    EXPECT_EQ(entries[1][1][3].text(), "");
    EXPECT_TRUE(entries[2].is_nil()) << "past the end is a nil view";
    EXPECT_EQ(entries[2].size(), 0U);
  }
}

TEST(redis_reply, every_type_and_several_replies_in_one_read) {
  const std::string bytes = "+OK\r\n-ERR no such key\r\n:-42\r\n$-1\r\n*-1\r\n*0\r\n*3\r\n:1\r\n$-1\r\n*1\r\n+PONG\r\n";
  auto replies = read_all(bytes, bytes.size());
  ASSERT_EQ(replies.size(), 7U);
  EXPECT_TRUE(replies[0].view().is_string());
  EXPECT_EQ(replies[0].view().text(), "OK");
  EXPECT_TRUE(replies[1].view().is_error());
  EXPECT_FALSE(replies[1].view().is_string());
  EXPECT_EQ(replies[1].view().text(), "ERR no such key");
  EXPECT_TRUE(replies[2].view().is_integer());
  EXPECT_EQ(replies[2].view().integer(), -42);
  EXPECT_EQ(replies[2].view().text(), "");
  EXPECT_TRUE(replies[3].view().is_nil());
  EXPECT_TRUE(replies[4].view().is_nil());
  EXPECT_TRUE(replies[5].view().is_array());
  EXPECT_EQ(replies[5].view().size(), 0U);
  auto mixed = replies[6].view();
  ASSERT_EQ(mixed.size(), 3U);
  EXPECT_EQ(mixed[0].integer(), 1);
  EXPECT_TRUE(mixed[1].is_nil());
  EXPECT_EQ(mixed[2][0].text(), "PONG");
  EXPECT_TRUE(redis_reply().view().is_nil()) << "no reply reads as nil";
}

// Indexes and sizes a server sends as strings (record fields, entry indexes, CONFIG values): only a
// whole decimal number is one; integer() would read each of the refused ones as 0 or a prefix.
TEST(redis_reply, a_whole_number_is_a_string_of_digits_only) {
  const std::string bytes =
      "*7\r\n$2\r\n42\r\n$1\r\n0\r\n$0\r\n\r\n$2\r\n4x\r\n$2\r\n-1\r\n$20\r\n99999999999999999999\r\n:7\r\n";
  auto replies = read_all(bytes, bytes.size());
  ASSERT_EQ(replies.size(), 1U);
  auto v = replies[0].view();
  ASSERT_EQ(v.size(), 7U);
  EXPECT_EQ(v[0].whole_number(), std::optional<std::size_t>(42));
  EXPECT_EQ(v[1].whole_number(), std::optional<std::size_t>(0));
  EXPECT_FALSE(v[2].whole_number()) << "empty";
  EXPECT_FALSE(v[3].whole_number()) << "trailing garbage";
  EXPECT_FALSE(v[4].whole_number()) << "negative";
  EXPECT_FALSE(v[5].whole_number()) << "overflows";
  EXPECT_FALSE(v[6].whole_number()) << "an integer reply is not a string";
}

TEST(redis_reply, a_protocol_error_is_the_readers_error_not_a_crash) {
  reply_builder builder;
  redisReader* reader = builder.make_reader();
  ASSERT_NE(reader, nullptr);
  const std::string bytes = "*2\r\n$3\r\nabc\r\n!oops\r\n";
  ASSERT_EQ(redisReaderFeed(reader, bytes.data(), bytes.size()), REDIS_OK);
  void* raw = nullptr;
  EXPECT_EQ(redisReaderGetReply(reader, &raw), REDIS_ERR);
  EXPECT_EQ(raw, nullptr);
  redisReaderFree(reader);
}

TEST(redis_reply, an_array_over_the_bound_is_refused_before_anything_is_reserved) {
  for (const std::string& bytes :
       {std::string("*133333332\r\n:1\r\n"),                     // one huge header
        std::string("*4194304\r\n*4194304\r\n*4194304\r\n")}) {  // each within the per-array bound, not the reply's
    reply_builder builder;
    redisReader* reader = builder.make_reader();
    ASSERT_NE(reader, nullptr);
    ASSERT_EQ(redisReaderFeed(reader, bytes.data(), bytes.size()), REDIS_OK);
    void* raw = nullptr;
    EXPECT_EQ(redisReaderGetReply(reader, &raw), REDIS_ERR) << bytes;
    EXPECT_NE(builder.problem().find("over the bound"), std::string::npos) << builder.problem();
    redisReaderFree(reader);
  }
  // At the bound itself, an array is taken.
  const std::string at_bound = "*4194304\r\n";
  reply_builder builder;
  redisReader* reader = builder.make_reader();
  ASSERT_EQ(redisReaderFeed(reader, at_bound.data(), at_bound.size()), REDIS_OK);
  void* raw = nullptr;
  EXPECT_EQ(redisReaderGetReply(reader, &raw), REDIS_OK);
  EXPECT_EQ(raw, nullptr) << "waiting for its elements";
  EXPECT_TRUE(builder.problem().empty());
  redisReaderFree(reader);
}

}  // namespace
}  // namespace serentak
