#include "support/loopback_sockets.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <string>

namespace serentak::testing {

using steady = std::chrono::steady_clock;

int connect_loopback(unsigned short port, int receive_buffer_bytes) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (receive_buffer_bytes > 0) {
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer_bytes, sizeof receive_buffer_bytes);
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    int error = errno;
    ::close(fd);
    errno = error;
    return -1;
  }
  return fd;
}

void owned_fds::close_all() {
  for (int fd : fds_) ::close(fd);
  fds_.clear();
}

bool ended_within(int fd, std::chrono::milliseconds timeout) {
  pollfd p{fd, POLLRDHUP, 0};
  return ::poll(&p, 1, static_cast<int>(timeout.count())) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

std::vector<steady::time_point> wait_until_each_ended(const std::vector<int>& fds, steady::time_point deadline) {
  std::vector<pollfd> watched;
  for (int fd : fds) watched.push_back({fd, POLLRDHUP, 0});
  std::vector<steady::time_point> ended(fds.size(), steady::time_point::max());
  std::size_t open = fds.size();
  while (open > 0 && steady::now() < deadline) {
    if (::poll(watched.data(), watched.size(), 100) <= 0) continue;
    auto now = steady::now();
    for (std::size_t i = 0; i < watched.size(); ++i) {
      if ((watched[i].revents & (POLLRDHUP | POLLHUP | POLLERR)) == 0) continue;
      ended[i] = now;
      watched[i].fd = -1;  // poll ignores it from now on
      --open;
    }
  }
  return ended;
}

std::uint64_t unsent_bytes_from_port(unsigned short port) {
  std::ifstream table("/proc/net/tcp");
  std::string line;
  std::getline(table, line);  // the column names
  std::uint64_t unsent = 0;
  for (int row = 0; row < 1000000 && std::getline(table, line); ++row) {
    // "sl local_address rem_address st tx_queue:rx_queue ...", addresses as hex "0100007F:1F90".
    std::istringstream fields(line);
    std::string slot, local, remote, state, queues;
    fields >> slot >> local >> remote >> state >> queues;
    auto colon = local.find(':');
    if (colon == std::string::npos || queues.empty()) continue;
    if (std::stoul(local.substr(colon + 1), nullptr, 16) != port) continue;
    unsent += std::stoull(queues.substr(0, queues.find(':')), nullptr, 16);
  }
  return unsent;
}

open_file_limit::open_file_limit(rlim_t needed) {
  ::getrlimit(RLIMIT_NOFILE, &saved_);
  if (saved_.rlim_cur >= needed) {  // RLIM_INFINITY is the largest rlim_t
    ok_ = true;
    return;
  }
  if (saved_.rlim_max < needed) return;
  rlimit raised = saved_;
  raised.rlim_cur = needed;
  ok_ = ::setrlimit(RLIMIT_NOFILE, &raised) == 0;
  changed_ = ok_;
}

open_file_limit::~open_file_limit() {
  if (changed_) ::setrlimit(RLIMIT_NOFILE, &saved_);
}

}  // namespace serentak::testing
