#pragma once
// The byte stream under one Redis connection: TCP, or TLS over TCP for rediss:// (OpenSSL; Debian
// 12's hiredis 0.14 has no TLS, so hiredis only parses replies (redis_connection formats commands), and the bytes
// go through here for both schemes). Blocking, with a timeout on the connect and the handshake and
// another on every read and write (SO_RCVTIMEO/SO_SNDTIMEO), as hiredis's own sockets had; under a
// stop deadline every wait is a sliced poll instead (a TLS socket then stays non-blocking).
// TLS verifies the server's certificate (the system's trust store, or ca_file) and its name or IP
// against the address; a client certificate is sent when given (Redis asks for one by default).
// Errors are one line naming no secret, not yet escaped (redis_connection escapes them). TLS writes
// go through write(2): the process must ignore SIGPIPE (console::prepare_process does, for every
// command). Not thread-safe: owned by its redis_connection's thread.

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "queue/redis_endpoint.hpp"
#include "queue/stop_deadline.hpp"

namespace serentak::queue {

class redis_socket {
 public:
  // Dials endpoint (host, port, and tls with its files): each address tried gets connect_timeout,
  // and so does the handshake as a whole; each later read and write waits at most io_timeout. On failure returns
  // nullptr and sets error ("connection refused", "TLS: certificate verify failed (...)"). With give_up, the host
  // lookup, the dial, the handshake and each read and write wait in slices and fail once its grace has passed
  // (stop_deadline).
  static std::unique_ptr<redis_socket> open(const redis_endpoint& endpoint, std::chrono::milliseconds connect_timeout,
                                            std::chrono::milliseconds io_timeout, std::string& error,
                                            stop_deadline* give_up = nullptr);
  ~redis_socket();
  redis_socket(const redis_socket&) = delete;
  redis_socket& operator=(const redis_socket&) = delete;

  // Writes all of data. nullopt on success, else what went wrong.
  std::optional<std::string> write_all(std::string_view data);
  // Reads what has arrived (at least one byte, waiting up to io_timeout): the count, or 0 and error
  // set when the peer closed, the wait timed out or the stream failed.
  std::size_t read_some(char* buffer, std::size_t size, std::string& error);

 private:
  struct tls_state;
  redis_socket(int fd, std::unique_ptr<tls_state> tls, std::chrono::milliseconds io_timeout,
               stop_deadline* give_up) noexcept;
  bool wait_for(short events, const char* timed_out, std::string& error);
  bool wait_readable(std::string& error);
  bool wait_writable(std::string& error);

  int fd_ = -1;
  std::unique_ptr<tls_state> tls_;  // null for redis://
  std::chrono::milliseconds io_timeout_{0};
  stop_deadline* give_up_ = nullptr;  // the worker's, shared by its connections; null: wait the timeout
};

}  // namespace serentak::queue
