#pragma once
// One libcurl multi handle driven the event-driven way: curl tells us which sockets it wants
// watched (CURLMOPT_SOCKETFUNCTION) and when it next needs the clock (CURLMOPT_TIMERFUNCTION); we
// keep those sockets in our own epoll instance and call curl_multi_socket_action only for the
// sockets that are ready and for curl's timer when it is due. So the cost of one wake-up is
// O(ready sockets + expired timers), not O(transfers) as with curl_multi_perform + poll.
//
// The same epoll set also carries the worker's own sockets (the native transport): they are
// tagged apart from curl's and handed to the attached socket_listener.
//
// Owned and used by exactly one worker thread; no locking. Must outlive every easy handle added
// to it (curl calls back into it while a handle is removed or cleaned up).

#include <curl/curl.h>
#include <sys/epoll.h>

#include <array>
#include <cstdint>
#include <chrono>
#include <optional>
#include <vector>

#include "client/transport/curl/curl_handles.hpp"

namespace serentak::client {

class multi_loop {
 public:
  using clock = std::chrono::steady_clock;

  // Creates the multi handle and the epoll instance; throws std::runtime_error when either fails.
  // max_connects: idle connections the multi handle keeps for reuse (CURLMOPT_MAXCONNECTS).
  explicit multi_loop(long max_connects);
  ~multi_loop();
  multi_loop(const multi_loop&) = delete;
  multi_loop& operator=(const multi_loop&) = delete;

  // Whoever owns the sockets registered with watch(): told which are ready, each round.
  class socket_listener {
   public:
    virtual ~socket_listener() = default;
    virtual void on_socket_ready(int fd, std::uint32_t events) = 0;
  };
  void attach(socket_listener* listener) noexcept { listener_ = listener; }
  // Registers (add) or changes (!add) one of the listener's sockets in the epoll set,
  // level-triggered; 0 or errno. Closing the socket removes it.
  int watch(int fd, std::uint32_t events, bool add) noexcept;

  CURLMcode add(CURL* easy) noexcept { return curl_multi_add_handle(multi_.get(), easy); }
  CURLMcode remove(CURL* easy) noexcept { return curl_multi_remove_handle(multi_.get(), easy); }

  // Sleeps until a watched socket is ready, curl's timer is due or `deadline` passes, whichever
  // comes first, then lets curl act on what is ready. Finished transfers are then waiting in
  // next_done(). Throws std::runtime_error when epoll or libcurl fails (the worker's transfers
  // are then beyond saving).
  void wait_and_act(clock::time_point deadline);

  // Moves every finished transfer (its handle and result) into `finished`, which is cleared
  // first. All are read before any is removed: libcurl 7.88's curl_multi_remove_handle walks the
  // unread messages, so removing while 5,000 are queued would cost O(n^2).
  struct done {
    CURL* easy;
    CURLcode code;
  };
  void take_finished(std::vector<done>& finished);

 private:
  static int on_socket(CURL* easy, curl_socket_t fd, int what, void* self, void* socket_data) noexcept;
  static int on_timer(CURLM* multi, long timeout_ms, void* self) noexcept;
  int wait_for_events(clock::duration wait);
  void act(curl_socket_t fd, int mask);

  multi_handle multi_;
  int epoll_fd_ = -1;
  std::optional<clock::time_point> timer_due_;  // when curl wants CURL_SOCKET_TIMEOUT; none: no timer
  bool precise_wait_ = true;                    // epoll_pwait2 (ns) works; false: epoll_wait (ms)
  int socket_errno_ = 0;                        // an epoll_ctl failure inside on_socket, for the message
  socket_listener* listener_ = nullptr;         // the native transport's sockets; may be null
  std::array<epoll_event, 512> events_{};       // more ready sockets than this wait for the next round
};

}  // namespace serentak::client
