#pragma once
// Owns one hiredis reply tree (freeReplyObject on destruction) and reads it without copying:
// views into the tree stay valid as long as the redis_reply lives. A Redis error reply and a
// failed connection are values (redis_result), never exceptions.
// Not thread-safe; a reply belongs to the thread that read it.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct redisReply;

namespace serentak::queue {

// One element of a reply tree; a view, owned by the redis_reply it came from.
class reply_view {
 public:
  explicit reply_view(const redisReply* node) noexcept : node_(node) {}

  bool is_nil() const noexcept;
  bool is_array() const noexcept;
  bool is_integer() const noexcept;
  bool is_string() const noexcept;  // bulk string or status
  bool is_error() const noexcept;
  std::string_view text() const noexcept;               // string, status or error text; empty otherwise
  long long integer() const noexcept;                   // integer reply; a numeric string is parsed; else 0
  std::size_t size() const noexcept;                    // array elements; 0 otherwise
  reply_view operator[](std::size_t i) const noexcept;  // i < size()

 private:
  const redisReply* node_;
};

class redis_reply {
 public:
  redis_reply() = default;
  explicit redis_reply(redisReply* owned) noexcept : reply_(owned) {}
  reply_view view() const noexcept { return reply_view(reply_.get()); }
  explicit operator bool() const noexcept { return reply_ != nullptr; }

 private:
  struct deleter {
    void operator()(redisReply* r) const noexcept;
  };
  std::unique_ptr<redisReply, deleter> reply_;
};

// What went wrong talking to Redis. io: the connection is gone (reconnect); server: Redis
// answered with an error (the connection is still fine).
struct redis_error {
  enum class kind { io, server } what = kind::io;
  std::string message;  // never holds a password

  // "LOADING Redis is loading the dataset in memory": a Redis that has just restarted answers so
  // until its AOF is read. Part of an outage, not a warning: the caller waits and tries again.
  bool is_loading() const noexcept { return what == kind::server && message.rfind("LOADING", 0) == 0; }
};

struct redis_result {
  redis_reply reply;
  std::optional<redis_error> error;
  bool ok() const noexcept { return !error.has_value(); }
  reply_view view() const noexcept { return reply.view(); }
};

}  // namespace serentak::queue
