#pragma once
// The libcurl transport of one worker: one multi handle driven the event-driven way. curl tells
// us which sockets it wants watched (CURLMOPT_SOCKETFUNCTION), and we keep them in the worker's
// socket_poller under this listener; it tells us when it next needs the clock
// (CURLMOPT_TIMERFUNCTION), which next_deadline() reports. curl_multi_socket_action then runs
// only for the sockets that are ready and for the timer when due, so one wake-up costs
// O(ready sockets + expired timers), not O(transfers) as with curl_multi_perform + poll.
// Carries everything: https, proxies, host names, redirects, HTTP/2, content codings.
//
// Owned and used by exactly one worker thread; no locking. Must outlive every easy handle added
// to it (curl calls back into it while a handle is removed or cleaned up), and the poller must
// outlive it.

#include <curl/curl.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "client/transport/curl/curl_handles.hpp"
#include "client/transport/transport.hpp"

namespace serentak::client {

class curl_transport final : public transport {
 public:
  // Creates the multi handle; throws std::runtime_error when libcurl cannot. policy: the run's
  // (kept by reference). max_connects: idle connections kept for reuse (CURLMOPT_MAXCONNECTS), one
  // per slot: also the most slots it will carry.
  curl_transport(socket_poller& poller, const fetch_policy& policy, long max_connects);
  ~curl_transport() override;
  curl_transport(const curl_transport&) = delete;
  curl_transport& operator=(const curl_transport&) = delete;

  std::string start(transfer& slot, transport_route&& route) override;
  void cancel(transfer& slot) noexcept override;
  void forget_finished() noexcept override {}  // curl drops a handle's messages when it is removed
  std::optional<clock::time_point> next_deadline() override { return timer_due_; }
  void expire(clock::time_point now) override;
  void take_finished(std::vector<ended_attempt>& out) override;
  void stop_reusing() noexcept override;
  void on_socket_ready(int fd, std::uint32_t events) override;

  // Takes over slot's running native attempt, its clocks unchanged (for a reply the native parser
  // refused that curl may accept). False when curl cannot take it: the native verdict stands.
  bool adopt(transfer& slot) noexcept;

 private:
  static int on_socket(CURL* easy, curl_socket_t fd, int what, void* self, void* socket_data) noexcept;
  static int on_timer(CURLM* multi, long timeout_ms, void* self) noexcept;
  void act(curl_socket_t fd, int mask);
  std::string ready(transfer& slot);

  socket_poller& poller_;
  unsigned listener_id_ = 0;
  const fetch_policy& policy_;
  multi_handle multi_;
  std::optional<clock::time_point> timer_due_;  // when curl wants CURL_SOCKET_TIMEOUT; none: no timer
  int socket_errno_ = 0;                        // an epoll_ctl failure inside on_socket, for the message
  bool reuse_ = true;                           // false after stop_reusing()
  std::vector<transfer*> carried_;              // every slot it made a handle for, once each (capacity: max_connects)
  struct done {
    CURL* easy;
    CURLcode code;
  };
  std::vector<done> done_;  // take_finished()'s batch, kept for its capacity
};

}  // namespace serentak::client
