#include "server/http/delay_tick.hpp"

namespace serentak::server {
namespace {

// Beyond this a delay is not rounded: the arithmetic below stays far from int64's end, and a tick
// saves nothing on a wait that long.
constexpr std::chrono::nanoseconds longest_rounded = std::chrono::hours(24 * 365);

}  // namespace

std::chrono::steady_clock::time_point delay_deadline(std::chrono::steady_clock::time_point now,
                                                     std::chrono::nanoseconds how_long) {
  // Not `clock`: access_log.cpp has one at namespace scope, and a unity build can join the two files.
  using tick_clock = std::chrono::steady_clock;
  if (how_long > longest_rounded) {
    // Saturated, as Asio's expires_after is: a delay past the clock's end never ends early.
    const auto room = std::chrono::duration_cast<std::chrono::nanoseconds>(tick_clock::time_point::max() - now);
    if (how_long >= room) return tick_clock::time_point::max();
    return now + std::chrono::duration_cast<tick_clock::duration>(how_long);
  }
  const tick_clock::time_point due = now + std::chrono::duration_cast<tick_clock::duration>(how_long);
  std::chrono::nanoseconds tick = delay_tick_longest;
  while (tick * delay_tick_share > how_long && tick > delay_tick_shortest) tick /= 2;
  if (tick * delay_tick_share > how_long) return due;  // too short for the shortest tick
  const auto since = std::chrono::duration_cast<std::chrono::nanoseconds>(due.time_since_epoch());
  const auto ticks = (since.count() + tick.count() - 1) / tick.count();  // round up: never early
  return tick_clock::time_point(
      std::chrono::duration_cast<tick_clock::duration>(std::chrono::nanoseconds(ticks * tick.count())));
}

}  // namespace serentak::server
