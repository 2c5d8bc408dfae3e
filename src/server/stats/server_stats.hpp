#pragma once
// Counters of one mock server, read by GET /__serentak/stats and GET /metrics: connections,
// requests by route and status, requests in flight, faults injected by kind, and per-route
// latency (request read -> response written, delays included) in a bounded histogram.
// Owned by mock_server (outlives every session); updated from every io thread.
// Thread safety: the gauges and plain counters are atomics; `mutex_` guards `routes_` and
// `faults_` (one short critical section per finished request, measured in bench/RESULTS.md).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/latency_histogram.hpp"

namespace serentak::server {

// Label of requests that matched no route (404, 405 on unknown paths, unreadable requests).
inline constexpr std::string_view unmatched_route = "(unmatched)";

struct route_counters {
  std::map<int, std::uint64_t> by_status;  // 0: no response was sent (reset, close, hang, peer left)
  latency_histogram latency_us;            // microseconds, bounded (19 KiB per route)
};

// A consistent copy of every counter, taken under the lock.
struct stats_snapshot {
  std::int64_t connections_open = 0;
  std::uint64_t connections_accepted = 0;
  std::uint64_t connections_refused = 0;  // closed at once: max_connections reached
  std::int64_t requests_in_flight = 0;    // read, not yet answered (waiting on a delay included)
  std::uint64_t requests_cancelled = 0;   // the peer left (or stop()) before the answer was sent
  std::uint64_t requests_answered = 0;    // finished with a response sent (status != 0)
  std::uint64_t access_lines_dropped = 0;  // access lines not written: queue full, stdout closed
  std::map<std::string, route_counters, std::less<>> routes;
  std::map<std::string, std::uint64_t, std::less<>> faults;
};

class server_stats {
 public:
  void connection_opened() noexcept;
  void connection_closed() noexcept;
  void connection_refused() noexcept;
  std::int64_t connections_open() const noexcept { return connections_open_.load(std::memory_order_relaxed); }

  void request_started() noexcept;
  // The request is over: answered (status), or ended by a fault (status 0 when nothing was sent).
  // route "" counts as unmatched_route; fault "" is none. Route and fault names come from the
  // server's own configuration, so their number is bounded.
  void request_finished(std::string_view route, int status, std::string_view fault,
                        std::chrono::steady_clock::duration latency);
  // The request ended without an answer because the peer closed or the server stopped.
  void request_cancelled() noexcept;

  // The counter access_log adds its dropped lines to; shared so a detached writer keeps it alive.
  const std::shared_ptr<std::atomic<std::uint64_t>>& access_lines_dropped() const noexcept {
    return access_lines_dropped_;
  }

  stats_snapshot snapshot() const;

 private:
  std::atomic<std::int64_t> connections_open_{0};
  std::atomic<std::uint64_t> connections_accepted_{0};
  std::atomic<std::uint64_t> connections_refused_{0};
  std::atomic<std::int64_t> requests_in_flight_{0};
  std::atomic<std::uint64_t> requests_cancelled_{0};
  std::atomic<std::uint64_t> requests_answered_{0};  // request_finished with a status other than 0
  std::shared_ptr<std::atomic<std::uint64_t>> access_lines_dropped_ = std::make_shared<std::atomic<std::uint64_t>>(0);

  mutable std::mutex mutex_;  // guards routes_ and faults_
  std::map<std::string, route_counters, std::less<>> routes_;
  std::map<std::string, std::uint64_t, std::less<>> faults_;
};

}  // namespace serentak::server
