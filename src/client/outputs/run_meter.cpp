#include "client/outputs/run_meter.hpp"

#include <numeric>

namespace serentak::client {

std::uint64_t meter_snapshot::done() const noexcept {
  return std::accumulate(by_outcome.begin(), by_outcome.end(), std::uint64_t{0});
}

void run_meter::count(outcome kind, std::chrono::microseconds latency) noexcept {
  auto micros = latency.count() > 0 ? static_cast<std::uint64_t>(latency.count()) : 0;
  std::lock_guard lock(meter_mutex_);
  ++counts_.by_outcome[static_cast<std::size_t>(kind)];
  counts_.latencies.record(micros);
}

meter_snapshot run_meter::snapshot() const {
  std::lock_guard lock(meter_mutex_);
  return counts_;
}

}  // namespace serentak::client
