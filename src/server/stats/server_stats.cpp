#include "server/stats/server_stats.hpp"

namespace serentak::server {
namespace {

std::string_view route_label(std::string_view route) { return route.empty() ? unmatched_route : route; }

// Finds or inserts key without building a std::string on the hot path when it exists.
template <class Map>
typename Map::mapped_type& entry(Map& map, std::string_view key) {
  auto found = map.find(key);
  if (found != map.end()) return found->second;
  return map.emplace(std::string(key), typename Map::mapped_type{}).first->second;
}

}  // namespace

void server_stats::connection_opened() noexcept {
  connections_open_.fetch_add(1, std::memory_order_relaxed);
  connections_accepted_.fetch_add(1, std::memory_order_relaxed);
}

void server_stats::connection_closed() noexcept { connections_open_.fetch_sub(1, std::memory_order_relaxed); }

void server_stats::connection_refused() noexcept { connections_refused_.fetch_add(1, std::memory_order_relaxed); }

void server_stats::request_started() noexcept { requests_in_flight_.fetch_add(1, std::memory_order_relaxed); }

void server_stats::request_finished(std::string_view route, int status, std::string_view fault,
                                    std::chrono::steady_clock::duration latency) {
  requests_in_flight_.fetch_sub(1, std::memory_order_relaxed);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(latency).count();
  std::lock_guard lock(mutex_);
  route_counters& counters = entry(routes_, route_label(route));
  ++counters.by_status[status];
  if (status != 0) requests_answered_.fetch_add(1, std::memory_order_relaxed);  // 0: nothing was sent
  counters.latency_us.record(micros < 0 ? 0 : static_cast<std::uint64_t>(micros));
  if (!fault.empty()) ++entry(faults_, fault);
}

void server_stats::request_cancelled() noexcept {
  requests_in_flight_.fetch_sub(1, std::memory_order_relaxed);
  requests_cancelled_.fetch_add(1, std::memory_order_relaxed);
}

stats_snapshot server_stats::snapshot() const {
  stats_snapshot s;
  s.connections_open = connections_open_.load(std::memory_order_relaxed);
  s.connections_accepted = connections_accepted_.load(std::memory_order_relaxed);
  s.connections_refused = connections_refused_.load(std::memory_order_relaxed);
  s.requests_in_flight = requests_in_flight_.load(std::memory_order_relaxed);
  s.requests_cancelled = requests_cancelled_.load(std::memory_order_relaxed);
  s.access_lines_dropped = access_lines_dropped_->load(std::memory_order_relaxed);
  std::lock_guard lock(mutex_);
  // Read under the lock, which request_finished counts under: consistent with the routes.
  s.requests_answered = requests_answered_.load(std::memory_order_relaxed);
  s.routes = routes_;
  s.faults = faults_;
  return s;
}

}  // namespace serentak::server
