#pragma once
// One connection to Redis over hiredis 0.14, owned by one thread: dial with a connect timeout,
// AUTH (user and password, or the password alone), a read/write timeout per command, and
// pipelining (append several commands, then read their replies: one round trip). Failures are
// values (redis_result); after an io error the connection is closed and reconnect() dials again.
// Messages name the server as host:port only, never the password.
// Not thread-safe: one per thread (the worker's reader, flusher and main thread each own one).

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "queue/redis_endpoint.hpp"
#include "queue/redis_reply.hpp"

struct redisContext;

namespace serentak::queue {

struct redis_timeouts {
  std::chrono::milliseconds connect{2000};  // TCP connect
  std::chrono::milliseconds command{5000};  // each read/write; a blocking command must wait less
};

class redis_connection {
 public:
  redis_connection(redis_endpoint endpoint, redis_timeouts timeouts);
  ~redis_connection();
  redis_connection(const redis_connection&) = delete;
  redis_connection& operator=(const redis_connection&) = delete;

  // Dials (again) and authenticates. nullopt on success. An AUTH refusal is kind::server.
  std::optional<redis_error> connect();
  bool connected() const noexcept { return context_ != nullptr; }
  const redis_endpoint& endpoint() const noexcept { return endpoint_; }

  // One command, one round trip.
  redis_result command(const std::vector<std::string>& args);
  redis_result command(std::initializer_list<std::string_view> args);

  // Pipelining: queue commands, then read exactly as many replies, in order.
  void append(const std::vector<std::string>& args);
  void append(std::initializer_list<std::string_view> args);
  std::vector<redis_result> read_replies();  // one per appended command since the last read

 private:
  void append_argv(const std::vector<std::string_view>& args);
  redis_result read_one();
  redis_error io_failure(std::string_view what);
  void close() noexcept;

  redis_endpoint endpoint_;
  redis_timeouts timeouts_;
  redisContext* context_ = nullptr;
  std::size_t appended_ = 0;                 // commands appended and not yet read
  std::optional<redis_error> append_error_;  // a failure while appending, reported by read_replies
};

}  // namespace serentak::queue
