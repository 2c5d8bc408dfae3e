#pragma once
// When a planned delay ends. A delay's deadline is rounded up to a tick of the steady clock shared
// by the other delays, so responses due within the same tick wake their thread once instead of once
// each: at the seed's delays and 10,000 connections this took the server's CPU per delayed request
// from 32-33 us to 23-25 us (bench/RESULTS.md, eighth session). The tick is the longest of 2 ms, 1 ms,
// 0.5 ms, ... down to delay_tick_shortest that is at most a hundredth of the delay: a delay ends at
// most 1% and at most 2 ms late, never early, and the ticks nest (each is half the one above), so
// delays of different lengths still share their wake-ups. A delay too short for the shortest tick
// is not rounded, nor one over a year (whose deadline saturates at the clock's end).
#include <chrono>

namespace serentak::server {

inline constexpr std::chrono::nanoseconds delay_tick_longest = std::chrono::milliseconds(2);
inline constexpr std::chrono::nanoseconds delay_tick_shortest{62'500};  // 2 ms / 32
inline constexpr long delay_tick_share = 100;  // a tick is at most this share of its delay

// The deadline of a delay of how_long started at now: now + how_long rounded up to its tick.
std::chrono::steady_clock::time_point delay_deadline(std::chrono::steady_clock::time_point now,
                                                     std::chrono::nanoseconds how_long);

}  // namespace serentak::server
