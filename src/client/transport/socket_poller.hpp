#pragma once
// One epoll instance shared by a worker's transports: each registers its own sockets under its
// own listener, and one wait serves them all, so a worker sleeps in exactly one place whichever
// transports carry its requests. Level-triggered; O(ready sockets) per wake-up.
//
// Owned and used by exactly one worker thread; no locking. Must outlive every listener that
// registered a socket (a transport's cleanup unregisters its sockets here).

#include <sys/epoll.h>

#include <array>
#include <chrono>
#include <cstdint>

namespace serentak::client {

class socket_poller {
 public:
  using clock = std::chrono::steady_clock;

  // Whoever owns a registered socket: told when it is ready.
  class listener {
   public:
    virtual ~listener() = default;
    virtual void on_socket_ready(int fd, std::uint32_t events) = 0;
  };

  // Creates the epoll instance; throws std::runtime_error when it cannot.
  socket_poller();
  ~socket_poller();
  socket_poller(const socket_poller&) = delete;
  socket_poller& operator=(const socket_poller&) = delete;

  // Adds a listener; its id is what control() takes. At most max_listeners; throws
  // std::logic_error beyond (a programming error: there are two transports).
  unsigned add_listener(listener& who);

  // epoll_ctl for fd on behalf of listener `id` (op: EPOLL_CTL_ADD, _MOD or _DEL); 0 or errno.
  // Closing the socket also removes it.
  int control(int op, int fd, std::uint32_t events, unsigned id) noexcept;

  // Sleeps until a registered socket is ready or `deadline` passes, then tells each ready
  // socket's listener. Throws std::runtime_error when epoll fails (EINTR is a plain wake-up).
  void wait(clock::time_point deadline);

 private:
  static constexpr unsigned max_listeners = 4;
  int wait_for_events(clock::duration wait);

  int epoll_fd_ = -1;
  bool precise_wait_ = true;  // epoll_pwait2 (ns) works; false: epoll_wait (ms)
  std::array<listener*, max_listeners> listeners_{};
  unsigned listener_count_ = 0;
  std::array<epoll_event, 512> events_{};  // more ready sockets than this wait for the next round
};

}  // namespace serentak::client
