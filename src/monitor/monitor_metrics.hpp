#pragma once
// `serentak monitor --metrics`: what Prometheus scrapes, kept in atomics fed by every judged check
// (the check_hook) and rendered as its text format (version 0.0.4) on request. Per endpoint: the
// health state, checks by outcome, checks whose conditions failed, the last check's duration; for
// the whole monitor: histograms of check duration and of schedule lag (start - due), and, passed in
// at render time, skipped ticks and the alert sender's queue depth, sent, failed and dropped.
//
// Thread safety: on_check() may run on any engine thread, render() on any other; both only touch
// atomics (relaxed: each series is a counter or a gauge read on its own). The endpoint set is
// fixed at construction (a reload makes a new object); names never change, so the index needs no
// lock.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/outcome.hpp"
#include "monitor/check_observer.hpp"
#include "monitor/monitor_config.hpp"

namespace serentak::monitor {

// Figures the metrics do not count themselves, read by the caller when a scrape comes.
struct metrics_extras {
  std::uint64_t skipped_busy = 0;
  std::uint64_t skipped_late = 0;
  std::uint64_t alert_queue_depth = 0;
  std::uint64_t alerts_sent = 0;
  std::uint64_t alerts_failed = 0;
  std::uint64_t alerts_dropped = 0;
};

class monitor_metrics {
 public:
  // Upper bounds of the histograms' buckets, in seconds (+Inf is implied).
  static constexpr std::array<double, 12> duration_bounds{0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                          0.5,   1,    2.5,   5,    10,  30};
  static constexpr std::array<double, 10> lag_bounds{0.001, 0.0025, 0.005, 0.01, 0.025,
                                                     0.05,  0.1,    0.25,  0.5,  1};

  explicit monitor_metrics(const monitor_config& config);

  void on_check(const check_update& update) noexcept;
  std::string render(const metrics_extras& extras) const;

 private:
  template <std::size_t N>
  struct histogram {
    std::array<std::atomic<std::uint64_t>, N + 1> buckets{};  // per bound, then +Inf; not cumulative
    std::atomic<std::uint64_t> sum_us{0};
    void observe(std::int64_t micros, const std::array<double, N>& bounds) noexcept;
  };
  struct endpoint_series {
    std::string name, group;  // as in the file
    std::atomic<int> state{0};  // health, as its enumerator's value
    std::array<std::atomic<std::uint64_t>, all_outcomes.size()> by_outcome{};
    std::atomic<std::uint64_t> failed{0};          // checks that did not pass
    std::atomic<std::int64_t> last_duration_us{-1};  // -1: no check yet
  };

  std::unordered_map<std::string, std::size_t> index_;  // name -> position in series_; fixed
  std::unique_ptr<endpoint_series[]> series_;
  std::size_t count_ = 0;
  histogram<duration_bounds.size()> duration_;
  histogram<lag_bounds.size()> lag_;
};

}  // namespace serentak::monitor
