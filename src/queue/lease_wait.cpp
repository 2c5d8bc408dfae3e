#include "queue/lease_wait.hpp"

#include <algorithm>
#include <cmath>

namespace serentak::queue {

namespace {
constexpr std::size_t held_per_engine_thread = 64;  // client/engine/worker.cpp: held_limit
}  // namespace

std::size_t items_waiting_in_worker(std::size_t concurrency, std::size_t threads) {
  // job_worker: the local queue holds at most c (fewer under --rate, which this leaves out).
  return std::max<std::size_t>(concurrency, 1) + held_per_engine_thread * threads;
}

std::optional<lease_wait_warning> check_lease_wait(const job_spec& spec,
                                                   const std::map<std::string, std::size_t>& items_per_host,
                                                   std::size_t concurrency) {
  if (!spec.host_rate_per_second || *spec.host_rate_per_second <= 0) return std::nullopt;
  const double rate = *spec.host_rate_per_second;
  const std::chrono::milliseconds lease = default_lease(spec);
  const double lease_s = static_cast<double>(lease.count()) / 1000.0;
  std::optional<lease_wait_warning> worst;
  for (const auto& [host, items] : items_per_host) {
    const std::size_t held = std::min(items, items_waiting_in_worker(concurrency));
    const double wait_s = static_cast<double>(held) / rate;
    if (wait_s <= lease_s || (worst && held <= worst->held)) continue;
    lease_wait_warning w;
    w.host = host;
    w.held = held;
    w.wait = std::chrono::milliseconds(std::llround(wait_s * 1000.0));
    w.lease = lease;
    worst = w;
  }
  if (worst) {
    // The largest c with items_waiting_in_worker(c) <= rate x lease: none under 1 + 64 items.
    const auto fits = static_cast<std::size_t>(std::floor(rate * lease_s));
    const std::size_t base = held_per_engine_thread;
    if (fits >= 1 + base) worst->max_concurrency = fits - base;
  }
  return worst;
}

}  // namespace serentak::queue
