#pragma once
// The schedule of --every, on the steady clock: tick n is due at start + n x interval. Nothing
// accumulates, so a round's own duration or a late wake-up never moves a later tick. A round still
// running when a tick is due is never overlapped: that tick is skipped.
// (monitor/schedule_plan.hpp adds phases and jitter for many endpoints; a client run is one.)
// Pure values and functions; safe from any thread.

#include <chrono>
#include <cstdint>

namespace serentak {

inline constexpr std::chrono::milliseconds min_every_interval{100};
inline constexpr std::chrono::hours max_every_interval{7 * 24};

struct repeat_schedule {
  std::chrono::steady_clock::time_point start;
  std::chrono::nanoseconds interval{std::chrono::seconds{1}};  // > 0

  std::chrono::steady_clock::time_point due(std::uint64_t tick) const noexcept { return start + interval * tick; }

  // The tick the next round starts on, once the round that started on tick `ran` ended at `now`:
  // the first tick after `ran` not yet due before now (one due exactly at now still starts). The
  // ticks between are the skipped ones: next_tick(ran, now) - ran - 1.
  std::uint64_t next_tick(std::uint64_t ran, std::chrono::steady_clock::time_point now) const noexcept;
};

}  // namespace serentak
