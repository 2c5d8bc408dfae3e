#pragma once
// What the progress line and the --live screen show: finished items by outcome and their
// latencies, counted as items finish. Owned by progress_line; engine workers count(), the
// drawing thread takes a snapshot() a few times a second.
//
// Thread safety: count() and snapshot() lock meter_mutex_ (a copy of 19 KiB under it, 4-5 times a
// second; a count is a few additions).

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>

#include "core/latency_histogram.hpp"
#include "core/outcome.hpp"

namespace serentak::client {

struct meter_snapshot {
  std::array<std::uint64_t, all_outcomes.size()> by_outcome{};  // indexed by the outcome's value
  latency_histogram latencies;                                  // microseconds, every finished item

  std::uint64_t done() const noexcept;
  std::uint64_t of(outcome kind) const noexcept { return by_outcome[static_cast<std::size_t>(kind)]; }
  std::uint64_t ok() const noexcept { return of(outcome::ok); }
  std::uint64_t not_found() const noexcept { return of(outcome::not_found); }
  std::uint64_t other_failures() const noexcept { return done() - ok() - not_found(); }
};

class run_meter {
 public:
  void count(outcome kind, std::chrono::microseconds latency) noexcept;
  meter_snapshot snapshot() const;

 private:
  mutable std::mutex meter_mutex_;  // guards counts_
  meter_snapshot counts_;
};

}  // namespace serentak::client
