#pragma once
// A blocking TCP client on 127.0.0.1 for what libcurl will not send or will not show: malformed
// requests, trickled bytes, conflicting framing headers, and how a connection ends (FIN, RST or
// nothing). Every wait is bounded by a timeout. Not thread-safe; one per test thread.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace serentak::testing {

class raw_client {
 public:
  enum class end { open, closed, reset };  // how the peer has ended the connection so far

  // Connects at once; throws std::system_error if it cannot.
  explicit raw_client(unsigned short port);
  ~raw_client();
  raw_client(const raw_client&) = delete;
  raw_client& operator=(const raw_client&) = delete;

  // Sends every byte; false if the peer has gone (EPIPE, ECONNRESET).
  bool send_all(std::string_view data);

  // Waits up to timeout for bytes or the end of the connection; true if something happened.
  bool receive(std::chrono::milliseconds timeout);

  // One whole response (head + Content-Length body), or "" on timeout or end of connection.
  std::string read_response(std::chrono::milliseconds timeout);

  // Reads until the peer ends the connection or timeout passes; returns how it ended.
  end wait_for_end(std::chrono::milliseconds timeout);

  // Reads until the peer ends the connection, counting (and dropping) the bytes past those
  // already kept; for huge bodies. Returns the number of bytes, or -1 on timeout.
  long long count_until_end(std::chrono::milliseconds timeout);

  const std::string& received() const noexcept { return buffer_; }
  end state() const noexcept { return end_; }
  void close();  // an orderly close from our side

 private:
  int fd_ = -1;
  std::string buffer_;
  end end_ = end::open;
};

std::string status_line_of(const std::string& response);
std::string body_of(const std::string& response);
// The value of the first header named `name` (case-insensitive) in a response head; "" if none.
std::string header_of(const std::string& response, std::string_view name);

// "GET <target> HTTP/1.1" with a Host header (and Connection: close when close), ready for send_all.
std::string get_request(std::string_view target, bool close = false);

}  // namespace serentak::testing
