// The arithmetic of --every's schedule (core/repeat_schedule.hpp): fixed rate, no drift, skipped
// ticks. Time points are built by hand: no clock is read and nothing sleeps.
#include <gtest/gtest.h>

#include "core/repeat_schedule.hpp"

namespace serentak {
namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

repeat_schedule every_300ms() { return repeat_schedule{steady::time_point{} + 1000s, 300ms}; }

TEST(repeat_schedule, tick_n_is_due_at_start_plus_n_intervals_whatever_the_rounds_took) {
  repeat_schedule s = every_300ms();
  EXPECT_EQ(s.due(0), s.start);
  EXPECT_EQ(s.due(1), s.start + 300ms);
  EXPECT_EQ(s.due(1000), s.start + 300s);
}

TEST(repeat_schedule, a_round_that_fits_its_interval_is_followed_by_the_next_tick) {
  repeat_schedule s = every_300ms();
  EXPECT_EQ(s.next_tick(0, s.start + 10ms), 1u);
  EXPECT_EQ(s.next_tick(0, s.start + 299ms), 1u);
  // Round 4 started late (on tick 4, at +1250 ms) and ended at +1300 ms: the next is tick 5 at
  // +1500 ms, not 1300 + 300: lateness never moves later ticks.
  EXPECT_EQ(s.next_tick(4, s.start + 1300ms), 5u);
}

TEST(repeat_schedule, a_round_still_running_when_ticks_come_skips_them) {
  repeat_schedule s = every_300ms();
  EXPECT_EQ(s.next_tick(0, s.start + 301ms), 2u);   // tick 1 came while running: skipped
  EXPECT_EQ(s.next_tick(0, s.start + 899ms), 3u);   // ticks 1 and 2 skipped
  EXPECT_EQ(s.next_tick(2, s.start + 2001ms), 7u);  // ticks 3-6 skipped
}

TEST(repeat_schedule, a_round_ending_exactly_on_a_tick_starts_it) {
  repeat_schedule s = every_300ms();
  EXPECT_EQ(s.next_tick(0, s.start + 300ms), 1u);
  EXPECT_EQ(s.next_tick(0, s.start + 600ms), 2u);
}

TEST(repeat_schedule, a_clock_reading_before_the_start_still_moves_forward) {
  repeat_schedule s = every_300ms();
  EXPECT_EQ(s.next_tick(0, s.start - 1ms), 1u);
  EXPECT_EQ(s.next_tick(7, s.start), 8u);
}

TEST(repeat_schedule, the_limits_are_100ms_and_a_week) {
  EXPECT_EQ(min_every_interval, 100ms);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::hours>(max_every_interval).count(), 168);
  // A week's interval after a year of ticks stays exact in nanoseconds.
  repeat_schedule s{steady::time_point{}, max_every_interval};
  EXPECT_EQ(s.next_tick(52, s.due(52) + 1ns), 53u);
  EXPECT_EQ(s.next_tick(52, s.due(53) + 1ns), 54u);
}

}  // namespace
}  // namespace serentak
