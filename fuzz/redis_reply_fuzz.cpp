// Fuzzes the Redis reply trees (queue/redis_reply): bytes a Redis server sends are untrusted.
// Properties: every reply that hiredis's reader completes through reply_builder's object functions
// is the same tree, node for node, as the one hiredis's own objects make from the same bytes
// (a differential check), whether the bytes come whole or in pieces; a protocol error ends both
// readers alike; walking a tree never leaves it (a view past an array's end is nil). An array over
// reply_builder's bounds is refused before anything is reserved for it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <hiredis.h>

#include "fuzz_check.hpp"
#include "queue/redis_reply.hpp"

namespace {

using serentak::queue::reply_view;

void describe(reply_view v, std::string& out, int depth) {
  FUZZ_CHECK(depth < 16);  // hiredis nests at most 7 levels
  if (v.is_array()) {
    out += "[" + std::to_string(v.size()) + ":";
    for (std::size_t i = 0; i < v.size(); ++i) describe(v[i], out, depth + 1);
    FUZZ_CHECK(v[v.size()].is_nil());
    out += "]";
  } else if (v.is_integer()) {
    out += "i" + std::to_string(v.integer()) + ";";
  } else if (v.is_error()) {
    out += "e" + std::to_string(v.text().size()) + ":" + std::string(v.text()) + ";";
  } else if (v.is_string()) {
    out += "s" + std::to_string(v.text().size()) + ":" + std::string(v.text()) + ";";
  } else {
    FUZZ_CHECK(v.is_nil());
    out += "n;";
  }
}

void describe(const redisReply* r, std::string& out) {
  switch (r->type) {
    case REDIS_REPLY_ARRAY:
      out += "[" + std::to_string(r->elements) + ":";
      for (std::size_t i = 0; i < r->elements; ++i) describe(r->element[i], out);
      out += "]";
      break;
    case REDIS_REPLY_INTEGER:
      out += "i" + std::to_string(r->integer) + ";";
      break;
    case REDIS_REPLY_ERROR:
      out += "e" + std::to_string(r->len) + ":" + std::string(r->str, r->len) + ";";
      break;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      out += "s" + std::to_string(r->len) + ":" + std::string(r->str, r->len) + ";";
      break;
    default:
      out += "n;";
      break;
  }
}

// Feeds the bytes in pieces of `piece`; each completed reply is described into out. Returns false
// at a protocol error; `refused` says a bound refused an array.
bool read_ours(std::string_view bytes, std::size_t piece, std::vector<std::string>& out, bool& refused) {
  serentak::queue::reply_builder builder;
  redisReader* reader = builder.make_reader();
  FUZZ_CHECK(reader != nullptr);
  bool ok = true;
  for (std::size_t at = 0; ok && at < bytes.size(); at += piece) {
    std::string_view part = bytes.substr(at, piece);
    FUZZ_CHECK(redisReaderFeed(reader, part.data(), part.size()) == REDIS_OK);
    for (;;) {
      void* raw = nullptr;
      if (redisReaderGetReply(reader, &raw) != REDIS_OK) {
        ok = false;
        refused = !builder.problem().empty();
        break;
      }
      if (raw == nullptr) break;
      std::string text;
      describe(builder.take().view(), text, 0);
      out.push_back(std::move(text));
    }
  }
  redisReaderFree(reader);
  return ok;
}

bool read_hiredis(std::string_view bytes, std::vector<std::string>& out) {
  redisReader* reader = redisReaderCreate();
  FUZZ_CHECK(reader != nullptr);
  FUZZ_CHECK(redisReaderFeed(reader, bytes.data(), bytes.size()) == REDIS_OK);
  bool ok = true;
  for (;;) {
    void* raw = nullptr;
    if (redisReaderGetReply(reader, &raw) != REDIS_OK) {
      ok = false;
      break;
    }
    if (raw == nullptr) break;
    std::string text;
    describe(static_cast<redisReply*>(raw), text);
    freeReplyObject(raw);
    out.push_back(std::move(text));
  }
  redisReaderFree(reader);
  return ok;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // The first byte picks the piece size; the rest is what a server sent.
  const std::size_t piece = 1 + data[0] % 17;
  const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  if (bytes.empty()) return 0;
  std::vector<std::string> theirs, whole, pieces;
  bool refused = false;
  const bool whole_ok = read_ours(bytes, bytes.size(), whole, refused);
  if (refused) return 0;  // over the bound: hiredis's own objects would take gigabytes to compare
  const bool theirs_ok = read_hiredis(bytes, theirs);
  FUZZ_CHECK(whole_ok == theirs_ok);
  FUZZ_CHECK(whole == theirs);
  const bool pieces_ok = read_ours(bytes, piece, pieces, refused);
  FUZZ_CHECK(!refused);
  FUZZ_CHECK(pieces_ok == theirs_ok);
  FUZZ_CHECK(pieces == theirs);
  return 0;
}
