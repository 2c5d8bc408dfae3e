// A planned delay's deadline: never before now + delay, less than its tick later (a tick is at most
// 1% of the delay and at most 2 ms), on ticks that nest so that delays of different lengths share
// their deadlines, and a delay too short for the shortest tick is not rounded.
#include "server/http/delay_tick.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

namespace serentak::server {
namespace {

using clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

clock::time_point tick_at(std::chrono::nanoseconds since_epoch) {
  return clock::time_point(std::chrono::duration_cast<clock::duration>(since_epoch));
}

TEST(delay_tick, a_delay_never_ends_early_and_at_most_1_percent_or_2_ms_late) {
  const std::chrono::nanoseconds delays[] = {7ms, 10ms, 100ms, 123'456'789ns, 199ms, 500ms, 3s};
  for (std::chrono::nanoseconds delay : delays) {
    const std::chrono::nanoseconds bound = std::min<std::chrono::nanoseconds>(2ms, delay / 100);
    for (std::chrono::nanoseconds start = 1s; start < 1s + 5ms; start += 37'001ns) {
      const clock::time_point deadline = delay_deadline(tick_at(start), delay);
      EXPECT_GE(deadline, tick_at(start + delay)) << delay.count() << " from " << start.count();
      EXPECT_LT(deadline - tick_at(start + delay), bound) << delay.count() << " from " << start.count();
    }
  }
}

TEST(delay_tick, delays_due_within_one_tick_share_one_deadline) {
  // Two 300 ms delays started 0.7 ms apart inside one 2 ms tick end together.
  const clock::time_point first = delay_deadline(tick_at(10s + 100us), 300ms);
  const clock::time_point second = delay_deadline(tick_at(10s + 800us), 300ms);
  EXPECT_EQ(first, second);
  EXPECT_EQ(first, tick_at(10s + 302ms));
  // A deadline already on a tick stays where it is.
  EXPECT_EQ(delay_deadline(tick_at(10s), 300ms), tick_at(10s + 300ms));
}

TEST(delay_tick, the_ticks_of_different_delays_nest) {
  // 2 ms for 200 ms and longer, 1 ms from 100 ms, 0.5 ms from 50 ms: each a multiple of the next.
  EXPECT_EQ(delay_deadline(tick_at(1s + 1ns), 5s), tick_at(6s + 2ms));
  EXPECT_EQ(delay_deadline(tick_at(1s + 1ns), 199ms), tick_at(1s + 200ms));
  EXPECT_EQ(delay_deadline(tick_at(1s + 1ns), 100ms), tick_at(1s + 101ms));
  EXPECT_EQ(delay_deadline(tick_at(1s + 1ns), 99ms), tick_at(1s + 99ms + 500us));
  // Two delays of different lengths (150 ms: 1 ms ticks; 450 ms: 2 ms ticks) due in the same
  // 2 ms share a deadline when the shorter one's tick falls on the longer one's.
  EXPECT_EQ(delay_deadline(tick_at(1s + 350ms + 1100us), 150ms), tick_at(1s + 502ms));
  EXPECT_EQ(delay_deadline(tick_at(1s + 50ms + 500us), 450ms), tick_at(1s + 502ms));
}

TEST(delay_tick, a_delay_too_short_for_the_shortest_tick_is_not_rounded) {
  EXPECT_EQ(delay_deadline(tick_at(1s + 1ns), 6ms), tick_at(1s + 1ns + 6ms));
  EXPECT_EQ(delay_deadline(tick_at(1s + 1ns), 0ns), tick_at(1s + 1ns));
  EXPECT_EQ(delay_deadline(tick_at(1s + 1ns), 6250us), tick_at(1s + 6250us + 62500ns));
}

TEST(delay_tick, an_hour_is_rounded_to_2_ms_and_a_delay_past_the_clocks_end_saturates) {
  EXPECT_EQ(delay_deadline(tick_at(1s + 1ns), 1h), tick_at(1s + 1h + 2ms));
  // A test's "forever" (nanoseconds::max) neither overflows into the past nor ends early.
  EXPECT_EQ(delay_deadline(tick_at(1s), std::chrono::nanoseconds::max()), clock::time_point::max());
  const std::chrono::nanoseconds ten_years = std::chrono::hours(24 * 365 * 10);
  EXPECT_EQ(delay_deadline(tick_at(1s + 1ns), ten_years), tick_at(1s + 1ns + ten_years));
}

}  // namespace
}  // namespace serentak::server
