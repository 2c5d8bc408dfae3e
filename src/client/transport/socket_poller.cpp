#include "client/transport/socket_poller.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <stdexcept>
#include <string>

namespace serentak::client {
namespace {

// epoll_event::data: the listener's id in the upper half, the descriptor in the lower.
std::uint64_t tag(unsigned id, int fd) noexcept {
  return (std::uint64_t{id} << 32) | static_cast<std::uint32_t>(fd);
}

}  // namespace

socket_poller::socket_poller() {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) throw std::runtime_error(std::string("epoll_create1: ") + std::strerror(errno));
}

socket_poller::~socket_poller() { ::close(epoll_fd_); }

unsigned socket_poller::add_listener(listener& who) {
  if (listener_count_ == max_listeners) throw std::logic_error("socket_poller: too many listeners");
  listeners_[listener_count_] = &who;
  return listener_count_++;
}

int socket_poller::control(int op, int fd, std::uint32_t events, unsigned id) noexcept {
  epoll_event event{};
  event.events = events;
  event.data.u64 = tag(id, fd);
  return ::epoll_ctl(epoll_fd_, op, fd, op == EPOLL_CTL_DEL ? nullptr : &event) == 0 ? 0 : errno;
}

void socket_poller::wait(clock::time_point deadline) {
  const auto now = clock::now();
  const int ready = wait_for_events(deadline > now ? deadline - now : clock::duration::zero());
  for (int i = 0; i < ready; ++i) {
    const epoll_event& event = events_[static_cast<std::size_t>(i)];
    const auto id = static_cast<unsigned>(event.data.u64 >> 32);
    if (id < listener_count_) listeners_[id]->on_socket_ready(static_cast<int>(event.data.u64 & 0xffffffffU), event.events);
  }
}

int socket_poller::wait_for_events(clock::duration wait) {
  const int capacity = static_cast<int>(events_.size());
  int ready = -1;
  if (precise_wait_) {
    // Nanosecond timeouts: a rate-limit token or a backoff due in 20.4 ms is waited for exactly,
    // not rounded to whole milliseconds (which would bias --rate low).
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(wait).count();
    timespec timeout{static_cast<std::time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
    ready = ::epoll_pwait2(epoll_fd_, events_.data(), capacity, &timeout, nullptr);
    if (ready < 0 && errno == ENOSYS) precise_wait_ = false;  // kernel < 5.11, or valgrind
  }
  if (!precise_wait_) {
    // Rounded up, so a wait never ends before its deadline and spins.
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(wait).count();
    ready = ::epoll_wait(epoll_fd_, events_.data(), capacity, static_cast<int>(std::min<long long>(ms, 1'000'000)));
  }
  if (ready < 0) {
    if (errno == EINTR) return 0;
    throw std::runtime_error(std::string("epoll_wait: ") + std::strerror(errno));
  }
  return ready;
}

}  // namespace serentak::client
