#include "server/stats/server_stats.hpp"

#include <algorithm>
#include <utility>

namespace serentak::server {
namespace {

std::string_view route_label(std::string_view route) { return route.empty() ? unmatched_route : route; }

}  // namespace

server_stats::server_stats(std::vector<std::string> route_names) : routes_(std::move(route_names)), faults_(std::vector<std::string>{}) {}

void server_stats::connection_opened() noexcept {
  connections_open_.fetch_add(1, std::memory_order_relaxed);
  connections_accepted_.fetch_add(1, std::memory_order_relaxed);
}

void server_stats::connection_closed() noexcept { connections_open_.fetch_sub(1, std::memory_order_relaxed); }

void server_stats::connection_refused() noexcept { connections_refused_.fetch_add(1, std::memory_order_relaxed); }

void server_stats::request_started() noexcept { requests_in_flight_.fetch_add(1, std::memory_order_relaxed); }

void server_stats::request_finished(std::string_view route, int status, std::string_view fault,
                                    std::chrono::steady_clock::duration latency) {
  // Decremented last, also when a first use's allocation throws (out of memory): in_flight must
  // come back to 0, and a scrape that reads 0 sees every finished request's counts.
  struct leaves_flight {
    decltype(requests_in_flight_)& count;
    ~leaves_flight() { count.fetch_sub(1, std::memory_order_release); }
  } leaving{requests_in_flight_};
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(latency).count();
  route_block& counters = routes_.block(route_label(route));
  // Only the test seam (plan_hook) can make another status; it is kept in range, not dropped.
  const auto slot = static_cast<std::size_t>(std::clamp(status, 0, static_cast<int>(status_slots) - 1));
  made_once(counters.by_status[slot / 100]).count[slot % 100].fetch_add(1, std::memory_order_relaxed);
  counters.latency_us.record(micros < 0 ? 0 : static_cast<std::uint64_t>(micros));
  if (status != 0) requests_answered_.fetch_add(1, std::memory_order_relaxed);  // 0: nothing was sent
  if (!fault.empty()) faults_.block(fault).fetch_add(1, std::memory_order_relaxed);
}

void server_stats::request_cancelled() noexcept {
  requests_cancelled_.fetch_add(1, std::memory_order_relaxed);
  requests_in_flight_.fetch_sub(1, std::memory_order_release);
}

stats_snapshot server_stats::snapshot() const {
  stats_snapshot s;
  s.requests_in_flight = requests_in_flight_.load(std::memory_order_acquire);  // first: see the member
  s.connections_open = connections_open_.load(std::memory_order_relaxed);
  s.connections_accepted = connections_accepted_.load(std::memory_order_relaxed);
  s.connections_refused = connections_refused_.load(std::memory_order_relaxed);
  s.requests_cancelled = requests_cancelled_.load(std::memory_order_relaxed);
  s.requests_answered = requests_answered_.load(std::memory_order_relaxed);
  s.access_lines_dropped = access_lines_dropped_->load(std::memory_order_relaxed);
  routes_.for_each([&s](std::string_view name, const route_block& block) {
    route_counters out;
    for (std::size_t k = 0; k < block.by_status.size(); ++k) {
      const status_hundred* hundred = block.by_status[k].load(std::memory_order_acquire);
      if (hundred == nullptr) continue;
      for (std::size_t i = 0; i < hundred->count.size(); ++i) {
        if (std::uint64_t n = hundred->count[i].load(std::memory_order_relaxed); n != 0) {
          out.by_status.emplace_hint(out.by_status.end(), static_cast<int>(k * 100 + i), n);
        }
      }
    }
    out.latency_us = block.latency_us.summary();
    // A block is made just before its first count: one caught in between has nothing to show yet.
    if (!out.by_status.empty() || out.latency_us.count != 0) s.routes.emplace_hint(s.routes.end(), name, std::move(out));
  });
  faults_.for_each([&s](std::string_view kind, const counter& count) {
    if (std::uint64_t n = count.load(std::memory_order_relaxed); n != 0) s.faults.emplace_hint(s.faults.end(), kind, n);
  });
  return s;
}

}  // namespace serentak::server
