#pragma once
// The schedule arithmetic of one endpoint, on the steady clock: tick n is due at
//   start + phase + n * interval + jitter(n),   jitter(n) in [0, max_jitter], drawn from (seed, n).
// Nothing accumulates: a slow check, a late wake-up or a jittered tick never moves a later tick, so
// the schedule cannot drift.
// Pure values and functions; safe from any thread.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace serentak::monitor {

inline constexpr std::chrono::milliseconds min_interval{100};
// Longer would be no monitor, and keeps the steady-clock arithmetic (nanoseconds) far from overflow.
inline constexpr std::chrono::hours max_interval{24 * 30};

struct schedule_plan {
  std::chrono::nanoseconds interval{std::chrono::seconds{60}};  // in [min_interval, max_interval]
  std::chrono::nanoseconds phase{0};                            // in [0, interval): spreads start-up
  std::chrono::nanoseconds max_jitter{0};                       // in [0, interval / 2]: keeps ticks in order
  std::uint64_t seed = 0;                                       // jitter's seed: same seed, same ticks

  // When tick n is due, counted from the scheduler's start.
  std::chrono::steady_clock::time_point due(std::chrono::steady_clock::time_point start,
                                            std::uint64_t n) const noexcept;
  // The jitter of tick n (0 without max_jitter).
  std::chrono::nanoseconds jitter(std::uint64_t n) const noexcept;
  // The last tick due at or before now, but not before `from`: where a late scheduler resumes.
  std::uint64_t latest_due(std::chrono::steady_clock::time_point start, std::uint64_t from,
                           std::chrono::steady_clock::time_point now) const noexcept;
};

// Empty when the plan is usable; otherwise what is wrong ("interval 50ms is below 100ms").
std::string validate(const schedule_plan& plan);

// Start-up phases spread over the first interval, without any stagger sleep:
// by index, endpoint i of n starts at i/n of the interval (even, but moves when the list changes);
std::chrono::nanoseconds phase_by_index(std::size_t index, std::size_t count,
                                        std::chrono::nanoseconds interval) noexcept;
// by name, a hash of the name picks the phase (stable across reloads and restarts, near-even for many).
std::chrono::nanoseconds phase_by_name(std::string_view name, std::chrono::nanoseconds interval) noexcept;

}  // namespace serentak::monitor
