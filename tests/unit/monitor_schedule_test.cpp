#include "monitor/check_scheduler.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace serentak::monitor {
namespace {

using namespace std::chrono_literals;
using time_point = std::chrono::steady_clock::time_point;

// A fake clock: the tests only ever pass time points, nothing sleeps.
const time_point schedule_t0{std::chrono::hours{24}};

schedule_plan every(std::chrono::nanoseconds interval, std::chrono::nanoseconds phase = 0ns) {
  schedule_plan p;
  p.interval = interval;
  p.phase = phase;
  return p;
}

TEST(monitor_schedule, fixed_rate_never_drifts_by_the_checks_duration) {
  check_scheduler s(schedule_t0);
  auto id = s.add(every(1s, 250ms));
  EXPECT_EQ(s.next_due(), schedule_t0 + 250ms);
  for (std::uint64_t n = 0; n < 100; ++n) {
    const time_point due = schedule_t0 + 250ms + n * 1s;
    EXPECT_FALSE(s.pop_due(due - 1ns).has_value());
    const time_point woke = due + 3ms;  // the loop wakes a little late
    auto tick = s.pop_due(woke);
    ASSERT_TRUE(tick.has_value()) << n;
    EXPECT_EQ(tick->tick, n);
    EXPECT_EQ(tick->due, due) << "due times stay on the grid whatever the lag and the duration";
    EXPECT_EQ((check_timing{tick->due, woke}.lag()), 3ms);
    s.finish(id);  // the check took 700 ms: it ended before the next tick; nothing moves
  }
  EXPECT_EQ(s.counters(id).started, 100u);
  EXPECT_EQ(s.counters(id).skipped_busy, 0u);
  EXPECT_EQ(s.counters(id).skipped_late, 0u);
}

TEST(monitor_schedule, a_running_check_is_never_overlapped_its_tick_is_skipped_and_counted) {
  check_scheduler s(schedule_t0);
  auto id = s.add(every(1s));
  ASSERT_TRUE(s.pop_due(schedule_t0).has_value());  // tick 0 starts and runs for 2.5 s
  EXPECT_FALSE(s.pop_due(schedule_t0 + 1s).has_value());
  EXPECT_FALSE(s.pop_due(schedule_t0 + 2s).has_value());
  EXPECT_TRUE(s.running(id));
  EXPECT_EQ(s.counters(id).skipped_busy, 2u);
  s.finish(id);  // at 2.5 s
  auto tick = s.pop_due(schedule_t0 + 3s);
  ASSERT_TRUE(tick.has_value());
  EXPECT_EQ(tick->tick, 3u);
  EXPECT_EQ(tick->due, schedule_t0 + 3s);
  EXPECT_EQ(s.counters(id).started, 2u);
}

TEST(monitor_schedule, a_late_scheduler_runs_the_latest_tick_once_and_counts_the_overtaken) {
  check_scheduler s(schedule_t0);
  auto id = s.add(every(1s));
  auto tick = s.pop_due(schedule_t0 + 5500ms);  // the loop stalled for 5.5 s
  ASSERT_TRUE(tick.has_value());
  EXPECT_EQ(tick->tick, 5u);
  EXPECT_EQ(tick->due, schedule_t0 + 5s);
  EXPECT_EQ(s.counters(id).skipped_late, 5u);
  s.finish(id);
  EXPECT_FALSE(s.pop_due(schedule_t0 + 5500ms).has_value()) << "no burst of missed ticks";
  EXPECT_EQ(s.next_due(), schedule_t0 + 6s);
}

TEST(monitor_schedule, intervals_below_100ms_and_wide_jitter_are_refused) {
  EXPECT_EQ(validate(every(50ms)), "interval 50ms is below the minimum of 100ms");
  EXPECT_EQ(validate(every(std::chrono::hours(24 * 31))), "interval 31d is above the maximum of 30d");
  EXPECT_EQ(validate(every(std::chrono::hours(24 * 30))), "");
  EXPECT_EQ(validate(every(100ms)), "");
  schedule_plan p = every(1s);
  p.max_jitter = 600ms;
  EXPECT_EQ(validate(p), "jitter 600ms is more than half the interval 1s");
  p.max_jitter = 0ns;
  p.phase = 1s;
  EXPECT_NE(validate(p), "");
  check_scheduler s(schedule_t0);
  EXPECT_THROW(s.add(every(10ms)), std::invalid_argument);
}

TEST(monitor_schedule, jitter_is_bounded_seeded_and_keeps_ticks_in_order) {
  schedule_plan a = every(1s);
  a.max_jitter = 200ms;
  a.seed = 7;
  schedule_plan b = a;
  b.seed = 8;
  std::size_t different = 0;
  for (std::uint64_t n = 0; n < 1000; ++n) {
    EXPECT_GE(a.jitter(n), 0ns);
    EXPECT_LE(a.jitter(n), 200ms);
    EXPECT_EQ(a.due(schedule_t0, n), schedule_t0 + n * 1s + a.jitter(n)) << "jitter never accumulates";
    EXPECT_LT(a.due(schedule_t0, n), a.due(schedule_t0, n + 1));
    if (a.jitter(n) != b.jitter(n)) ++different;
  }
  EXPECT_GT(different, 990u) << "another seed, other jitter";
  schedule_plan a2 = a;
  EXPECT_EQ(a2.jitter(123), a.jitter(123)) << "same seed, same jitter";
}

TEST(monitor_schedule, startup_phases_spread_over_the_first_interval) {
  constexpr std::size_t count = 10'000;
  std::array<std::size_t, 10> by_index{}, by_name{};
  for (std::size_t i = 0; i < count; ++i) {
    auto pi = phase_by_index(i, count, 1s);
    auto pn = phase_by_name(fmt::format("endpoint-{}", i), 1s);
    ASSERT_GE(pi, 0ns);
    ASSERT_LT(pi, 1s);
    ASSERT_GE(pn, 0ns);
    ASSERT_LT(pn, 1s);
    by_index[static_cast<std::size_t>(pi / 100ms)]++;
    by_name[static_cast<std::size_t>(pn / 100ms)]++;
  }
  for (std::size_t b = 0; b < 10; ++b) {
    EXPECT_EQ(by_index[b], 1000u) << b;
    EXPECT_GT(by_name[b], 850u) << b;
    EXPECT_LT(by_name[b], 1150u) << b;
  }
  EXPECT_EQ(phase_by_name("weather-jakarta", 1s), phase_by_name("weather-jakarta", 1s));
  EXPECT_EQ(phase_by_index(3, 4, 7 * 24h), 7 * 24h / 4 * 3) << "no overflow at a 7-day interval";
}

TEST(monitor_schedule, ten_thousand_endpoints_all_start_within_the_first_interval_in_due_order) {
  constexpr std::size_t count = 10'000;
  check_scheduler s(schedule_t0);
  for (std::size_t i = 0; i < count; ++i) s.add(every(1s, phase_by_index(i, count, 1s)));
  std::vector<bool> seen(count, false);
  time_point last = schedule_t0;
  std::size_t started = 0;
  // Step the fake clock 1 ms at a time through the first interval, ending just before its end;
  // every check ends at once.
  std::vector<time_point> steps;
  for (time_point now = schedule_t0; now < schedule_t0 + 1s; now += 1ms) steps.push_back(now);
  steps.push_back(schedule_t0 + 1s - 1ns);
  for (time_point now : steps) {
    while (auto tick = s.pop_due(now)) {
      EXPECT_GE(tick->due, last);
      EXPECT_LE(tick->due, now);
      last = tick->due;
      EXPECT_EQ(tick->tick, 0u);
      EXPECT_FALSE(seen[tick->endpoint]);
      seen[tick->endpoint] = true;
      ++started;
      s.finish(tick->endpoint);
    }
  }
  EXPECT_EQ(started, count);
  EXPECT_EQ(s.pending(), count) << "one pending tick per endpoint";
}

TEST(monitor_schedule, mixed_intervals_match_a_brute_force_count) {
  constexpr std::size_t count = 2'000;
  check_scheduler s(schedule_t0);
  std::vector<schedule_plan> plans;
  for (std::size_t i = 0; i < count; ++i) {
    schedule_plan p = every(std::chrono::milliseconds(100 + 37 * (i % 50)));
    p.phase = phase_by_name(fmt::format("e{}", i), p.interval);
    p.max_jitter = p.interval / 4;
    p.seed = i;
    plans.push_back(p);
    s.add(p);
  }
  std::vector<std::uint64_t> starts(count, 0);
  const time_point end = schedule_t0 + 10s;
  time_point last = schedule_t0;
  for (time_point now = schedule_t0; now <= end; now += 1ms) {
    while (auto tick = s.pop_due(now)) {
      ASSERT_GE(tick->due, last);
      last = tick->due;
      starts[tick->endpoint]++;
      s.finish(tick->endpoint);
    }
  }
  for (std::size_t i = 0; i < count; ++i) {
    std::uint64_t expected = 0;
    while (plans[i].due(schedule_t0, expected) <= end) ++expected;
    ASSERT_EQ(starts[i], expected) << i;
    ASSERT_EQ(s.counters(i).skipped_late, 0u) << "a 1 ms step never overtakes a tick at >= 100 ms";
  }
}

TEST(monitor_schedule, removed_endpoints_are_no_longer_due) {
  check_scheduler s(schedule_t0);
  auto a = s.add(every(1s));
  auto b = s.add(every(1s, 500ms));
  s.remove(a);
  EXPECT_EQ(s.next_due(), schedule_t0 + 500ms);
  auto tick = s.pop_due(schedule_t0 + 2s);
  ASSERT_TRUE(tick.has_value());
  EXPECT_EQ(tick->endpoint, b);
  EXPECT_EQ(tick->tick, 1u);
}

TEST(monitor_schedule, a_slow_start_up_still_puts_every_first_check_within_one_interval_of_the_launch_evenly) {
  // The file and the history took 250 ms of a 1 s interval: the first checks share the 700 ms left
  // (less 50 ms for the loop's lag), in phase order, none before ready and none at or past launch +
  // 950 ms; the second checks are back on the even grid from the launch.
  const time_point ready = schedule_t0 + 250ms;
  check_scheduler s(schedule_t0, ready);
  constexpr std::size_t count = 1000;
  for (std::size_t i = 0; i < count; ++i) s.add(every(1s, phase_by_index(i, count, 1s)));
  std::vector<time_point> firsts(count);
  std::size_t started = 0;
  const time_point last_instant = schedule_t0 + 1s - 1ns;  // the interval's end, still inside it
  for (time_point now = ready;; now = std::min(now + 1ms, last_instant)) {
    while (auto tick = s.pop_due(now)) {
      ASSERT_EQ(tick->tick, 0u);
      EXPECT_LE(tick->due, now) << "a first check never starts before it is due (no negative lag)";
      EXPECT_GE(tick->due, ready);
      firsts[tick->endpoint] = tick->due;
      ++started;
      s.finish(tick->endpoint);
    }
    if (now == last_instant) break;
  }
  ASSERT_EQ(started, count) << "every first check by launch + interval";
  EXPECT_TRUE(std::is_sorted(firsts.begin(), firsts.end())) << "phase order is kept";
  EXPECT_LT(firsts.back(), schedule_t0 + 950ms);
  EXPECT_GT(firsts.back(), schedule_t0 + 940ms) << "the spread uses what is left";
  EXPECT_LT(firsts.front(), ready + 1ms);
  // Even: the widest gap between consecutive first checks is about 750 ms / 1000.
  std::chrono::nanoseconds widest{0};
  for (std::size_t i = 1; i < count; ++i) widest = std::max(widest, firsts[i] - firsts[i - 1]);
  EXPECT_LT(widest, 2ms);
  for (std::size_t i = 0; i < count; ++i) EXPECT_EQ(s.counters(i).skipped_late, 0u);
  // Each endpoint's second check is due at launch + phase + 1 s: the steady load is spread over the
  // whole second, not packed into what the start-up left.
  std::size_t seconds = 0;
  for (time_point now = last_instant; now < schedule_t0 + 2s; now += 1ms) {
    while (auto tick = s.pop_due(now)) {
      EXPECT_EQ(tick->tick, 1u);
      EXPECT_EQ(tick->due, schedule_t0 + phase_by_index(tick->endpoint, count, 1s) + 1s)
          << "endpoint " << tick->endpoint;
      EXPECT_GT(tick->due, firsts[tick->endpoint]);
      ++seconds;
      s.finish(tick->endpoint);
    }
  }
  EXPECT_EQ(seconds, count);
}

TEST(monitor_schedule, a_start_up_that_took_most_of_the_interval_spreads_the_first_checks_over_a_quarter_of_it) {
  // 800 ms of 1 s gone: 150 ms would be left (less the 50 ms allowance); the floor is 250 ms, so the
  // first checks are not one burst. Past 950 ms they count from ready over a whole interval.
  for (const auto& [took, spread] : {std::pair{800ms, 250ms}, std::pair{960ms, 1000ms}}) {
    const time_point ready = schedule_t0 + took;
    check_scheduler s(schedule_t0, ready);
    constexpr std::size_t count = 100;
    for (std::size_t i = 0; i < count; ++i) s.add(every(1s, phase_by_index(i, count, 1s)));
    time_point first = time_point::max(), last = time_point::min();
    std::size_t started = 0;
    for (time_point now = ready; now < ready + spread; now += 1ms) {  // the loop, waking every 1 ms
      while (auto tick = s.pop_due(now)) {
        s.finish(tick->endpoint);
        if (tick->tick != 0) continue;  // a small phase's second check, on the grid from schedule_t0
        first = std::min(first, tick->due);
        last = std::max(last, tick->due);
        ++started;
      }
    }
    EXPECT_EQ(started, count) << took.count();
    EXPECT_EQ(first, ready) << took.count();
    EXPECT_GT(last, ready + spread * 98 / 100) << took.count();
    EXPECT_LT(last, ready + spread) << took.count();
  }
}

TEST(monitor_schedule, a_start_up_longer_than_the_interval_counts_the_ticks_from_ready_without_skips) {
  const time_point ready = schedule_t0 + 3s;
  check_scheduler s(schedule_t0, ready);
  auto id = s.add(every(1s, 400ms));
  EXPECT_EQ(s.next_due(), ready + 400ms) << "no tick is due in the past, so none is skipped as late";
  auto tick = s.pop_due(ready + 400ms);
  ASSERT_TRUE(tick.has_value());
  EXPECT_EQ(tick->tick, 0u);
  s.finish(id);
  tick = s.pop_due(ready + 1400ms);
  ASSERT_TRUE(tick.has_value());
  EXPECT_EQ(tick->tick, 1u);
  EXPECT_EQ(s.counters(id).skipped_late, 0u);
}

}  // namespace
}  // namespace serentak::monitor
