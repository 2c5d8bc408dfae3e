#pragma once
// Plain socket descriptors to 127.0.0.1, for what raw_client does not expose: thousands of
// connections at once, a receive buffer set before connecting, non-blocking sends, how and when
// the peer ended each connection; the kernel's unsent bytes on a port; the open-file limit a test
// needs. Every wait is bounded. Not thread-safe; one per test thread.

#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <vector>

namespace serentak::testing {

// A connected TCP socket to 127.0.0.1:port (blocking), or -1 with errno set. A receive buffer
// size > 0 is set before connecting, so the window the server sees is small from the start.
int connect_loopback(unsigned short port, int receive_buffer_bytes = 0);

// Descriptors a test opened, closed when it ends (whatever assertion fails first).
class owned_fds {
 public:
  owned_fds() = default;
  ~owned_fds() { close_all(); }
  owned_fds(const owned_fds&) = delete;
  owned_fds& operator=(const owned_fds&) = delete;

  void add(int fd) { fds_.push_back(fd); }
  const std::vector<int>& get() const noexcept { return fds_; }
  void close_all();

 private:
  std::vector<int> fds_;
};

// Whether the peer has ended the connection (FIN or RST), waiting up to timeout.
bool ended_within(int fd, std::chrono::milliseconds timeout);

// Polls every descriptor until the peer has ended each connection or the deadline passes; returns
// when each ended (time_point::max() for those still open).
std::vector<std::chrono::steady_clock::time_point> wait_until_each_ended(
    const std::vector<int>& fds, std::chrono::steady_clock::time_point deadline);

// Bytes the kernel still holds to send on IPv4 sockets whose local port is `port`: a server's side
// of its connections, including sockets it has closed that the kernel keeps (/proc/net/tcp).
std::uint64_t unsent_bytes_from_port(unsigned short port);

// Raises the soft open-file limit to `needed` for one test and restores it afterwards. ok() is
// false when the hard limit is lower (the test then skips, saying so).
class open_file_limit {
 public:
  explicit open_file_limit(rlim_t needed);
  ~open_file_limit();
  open_file_limit(const open_file_limit&) = delete;
  open_file_limit& operator=(const open_file_limit&) = delete;

  bool ok() const noexcept { return ok_; }
  rlim_t hard() const noexcept { return saved_.rlim_max; }

 private:
  rlimit saved_{};
  bool ok_ = false;
  bool changed_ = false;
};

}  // namespace serentak::testing
