#pragma once
// One connection to Redis, owned by one thread: dial with a connect timeout (TCP, or TLS for
// rediss://: redis_socket), AUTH (user and password, or the password alone), a read/write timeout
// per command, and pipelining (append several commands, then read their replies: one round trip).
// Commands are formatted here, straight into the outgoing buffer (a record batch is sent without
// a copy per argument); hiredis 0.14 parses the replies into our compact trees (redis_reply); the
// bytes go through redis_socket, as hiredis's own I/O cannot carry TLS. Failures are values
// (redis_result); after an io error the connection is closed and connect() dials again.
// Messages name the server as host:port only, never the password.
// Not thread-safe: one per thread (the worker's reader, flusher and main thread each own one).

#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "queue/redis_endpoint.hpp"
#include "queue/redis_reply.hpp"
#include "queue/redis_socket.hpp"

struct redisReader;

namespace serentak::queue {

struct redis_timeouts {
  std::chrono::milliseconds connect{2000};  // TCP connect
  std::chrono::milliseconds command{5000};  // each read/write; a blocking command must wait less
  stop_deadline* give_up = nullptr;         // a stopping worker's: reads end once its grace has passed
};

class redis_connection {
 public:
  redis_connection(redis_endpoint endpoint, redis_timeouts timeouts);
  ~redis_connection();
  redis_connection(const redis_connection&) = delete;
  redis_connection& operator=(const redis_connection&) = delete;

  // Dials (again) and authenticates. nullopt on success. An AUTH refusal is kind::server.
  std::optional<redis_error> connect();
  bool connected() const noexcept { return socket_ != nullptr; }
  // Whether the caller's stop grace has run out (redis_timeouts::give_up): work between commands (a
  // long file read) ends then too, as the reads do.
  bool giving_up() noexcept { return timeouts_.give_up != nullptr && timeouts_.give_up->passed(); }
  const redis_endpoint& endpoint() const noexcept { return endpoint_; }

  // One command, one round trip.
  redis_result command(const std::vector<std::string>& args);
  redis_result command(std::initializer_list<std::string_view> args);
  redis_result command(std::span<const std::string_view> args);  // the views need live only during the call

  // Pipelining: queue commands, then read exactly as many replies, in order.
  void append(const std::vector<std::string>& args);
  void append(std::initializer_list<std::string_view> args);
  void append(std::span<const std::string_view> args);
  std::vector<redis_result> read_replies();  // one per appended command since the last read

 private:
  redis_result read_one();
  redis_error io_failure(std::string_view what);
  void close() noexcept;

  redis_endpoint endpoint_;
  redis_timeouts timeouts_;
  std::unique_ptr<redis_socket> socket_;     // null: not connected
  redisReader* reader_ = nullptr;            // the replies' parser; with socket_
  reply_builder replies_;                    // the trees reader_ builds
  std::string pending_;                      // formatted commands not yet written
  std::size_t appended_ = 0;                 // commands appended and not yet read
  std::optional<redis_error> append_error_;  // a failure while appending, reported by read_replies
};

}  // namespace serentak::queue
