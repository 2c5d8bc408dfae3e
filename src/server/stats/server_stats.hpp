#pragma once
// Counters of one mock server, read by GET /__serentak/stats and GET /metrics: connections,
// requests by route and status, requests in flight, faults injected by kind, and per-route
// latency (request read -> response written, delays included) in a bounded histogram.
// Owned by mock_server (outlives every session); updated from every io thread.
// Thread safety: no lock anywhere. The gauges and plain counters are atomics; each route's and
// each fault kind's counters are relaxed atomics in a block that label_table makes on the label's
// first use and never moves, so snapshot() reads them while requests keep counting (a scrape
// never stops a request, and costs a few loads per route: bench/RESULTS.md, "/metrics at 10,000
// routes"). A snapshot taken during traffic is not one instant's cut (each counter is read once,
// in turn); once requests_in_flight reads 0, every finished request is in it.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/stats/label_table.hpp"
#include "server/stats/shared_histogram.hpp"

namespace serentak::server {

// Label of requests that matched no route (404, 405 on unknown paths, unreadable requests).
inline constexpr std::string_view unmatched_route = "(unmatched)";

// One route's counters, as a snapshot holds them.
struct route_counters {
  std::map<int, std::uint64_t> by_status;  // 0: no response was sent (reset, close, hang, peer left)
  latency_summary latency_us;              // microseconds
};

// Every counter as plain values, read without a lock (see the header comment for what it is a
// picture of). Only routes and fault kinds that have counted something are present.
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
  // route_names: the labels request_finished will mostly be given (the router's paths and the
  // server's own routes); their blocks are found by a binary search. Any other label still
  // counts, through a short lock-free list.
  explicit server_stats(std::vector<std::string> route_names = {});

  void connection_opened() noexcept;
  void connection_closed() noexcept;
  void connection_refused() noexcept;
  std::int64_t connections_open() const noexcept { return connections_open_.load(std::memory_order_relaxed); }

  void request_started() noexcept;
  // The request is over: answered (status), or ended by a fault (status 0 when nothing was sent).
  // route "" counts as unmatched_route; fault "" is none. Route and fault names come from the
  // server's own configuration, so their number is bounded. Throws only std::bad_alloc, on a
  // label's first use.
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
  // HTTP status codes have three digits (RFC 9110 15); the server never sends another.
  static constexpr std::size_t status_slots = 1000;

  // The counts of statuses 100 * k .. 100 * k + 99 on one route (k = 0 for 0, "no response").
  struct status_hundred {
    std::array<std::atomic<std::uint64_t>, 100> count{};
  };

  // One route's counters. Written by every io thread that finishes a request on the route
  // (relaxed fetch_add), read by snapshot() at the same time; no lock. A hundred of statuses is
  // made on its first use (made_once), so a route costs its histogram's 18 KiB and 800 bytes per
  // hundred it answers with, and a scrape reads only those hundreds.
  struct route_block {
    route_block() = default;
    route_block(const route_block&) = delete;
    route_block& operator=(const route_block&) = delete;
    ~route_block() {
      for (auto& hundred : by_status) delete hundred.load(std::memory_order_relaxed);
    }
    std::array<std::atomic<status_hundred*>, status_slots / 100> by_status{};  // [status / 100]; null: none yet
    shared_latency_histogram latency_us;
  };
  using counter = std::atomic<std::uint64_t>;  // a fault kind's count

  std::atomic<std::int64_t> connections_open_{0};
  std::atomic<std::uint64_t> connections_accepted_{0};
  std::atomic<std::uint64_t> connections_refused_{0};
  // Decremented last by request_finished (release) and read first by snapshot() (acquire): a
  // snapshot that reads 0 holds every request finished before it.
  std::atomic<std::int64_t> requests_in_flight_{0};
  std::atomic<std::uint64_t> requests_cancelled_{0};
  std::atomic<std::uint64_t> requests_answered_{0};  // request_finished with a status other than 0
  std::shared_ptr<std::atomic<std::uint64_t>> access_lines_dropped_ = std::make_shared<std::atomic<std::uint64_t>>(0);

  label_table<route_block> routes_;  // lock-free; blocks live as long as this object
  label_table<counter> faults_;      // lock-free; every kind on its list (a handful)
};

}  // namespace serentak::server
