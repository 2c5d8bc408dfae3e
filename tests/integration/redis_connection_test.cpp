// redis_connection formats its commands itself (RESP, straight into the outgoing buffer), so a
// record reaches Redis byte for byte: CR, LF, NUL, RESP's own markers and an empty argument, one
// command at a time and pipelined, checked against a real redis-server.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "queue/redis_connection.hpp"
#include "queue/redis_endpoint.hpp"
#include "support/redis_server.hpp"
#include "support/test_paths.hpp"

namespace serentak {
namespace {

queue::redis_endpoint endpoint_of(const testing::redis_server& redis) {
  std::string problem;
  auto endpoint = queue::parse_redis_endpoint(redis.url("connection"), problem);
  EXPECT_TRUE(endpoint.has_value()) << problem;
  return endpoint.value_or(queue::redis_endpoint{});
}

TEST(redis_connection, arguments_reach_redis_byte_for_byte_alone_and_pipelined) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  queue::redis_connection connection(endpoint_of(redis), queue::redis_timeouts{});
  ASSERT_FALSE(connection.connect().has_value());

  using namespace std::string_literals;
  const std::vector<std::string> values{"\r\n"s, "a\0b"s, "*2\r\n$3\r\nGET\r\n"s, ""s, std::string(100000, 'x') + "\n"};
  for (std::size_t k = 0; k < values.size(); ++k) {
    const std::string key = "k" + std::to_string(k);
    ASSERT_TRUE(connection.command({"SET", key, values[k]}).ok());
    queue::redis_result got = connection.command({"GET", key});
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got.view().text(), values[k]) << "value " << k;
  }

  // Pipelined, through the span overload the record batches use (a count of several digits, as a
  // batch's thousands of arguments have): one reply per command, in order.
  std::vector<std::string_view> rpush{"RPUSH", "list"};
  for (int round = 0; round < 30; ++round) {
    for (const std::string& v : values) rpush.emplace_back(v);
  }
  connection.append(std::span<const std::string_view>(rpush));
  connection.append({"LRANGE", "list", "0", "-1"});
  connection.append({"STRLEN", "k4"});
  auto replies = connection.read_replies();
  ASSERT_EQ(replies.size(), 3U);
  EXPECT_EQ(replies[0].view().integer(), static_cast<long long>(30 * values.size()));
  ASSERT_EQ(replies[1].view().size(), 30 * values.size());
  for (std::size_t k = 0; k < 30 * values.size(); ++k)
    EXPECT_EQ(replies[1].view()[k].text(), values[k % values.size()]) << "element " << k;
  EXPECT_EQ(replies[2].view().integer(), 100001);

  // An empty command gets an error reply instead of a wait for one Redis never sends, and the
  // next command still gets its own reply.
  connection.append(std::span<const std::string_view>());
  connection.append({"PING"});
  replies = connection.read_replies();
  ASSERT_EQ(replies.size(), 2U);
  EXPECT_FALSE(replies[0].ok());
  ASSERT_TRUE(replies[1].ok());
  EXPECT_EQ(replies[1].view().text(), "PONG");
}

}  // namespace
}  // namespace serentak
