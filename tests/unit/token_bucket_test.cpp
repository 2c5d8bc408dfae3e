#include "core/token_bucket.hpp"

#include <gtest/gtest.h>

namespace serentak {
namespace {

using namespace std::chrono_literals;

TEST(token_bucket, allows_a_burst_then_the_rate) {
  auto t0 = token_bucket::clock::time_point{};
  token_bucket bucket(10.0, 3.0, t0);
  token_bucket::clock::duration wait{};
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(bucket.try_take(t0, wait)) << i;
  EXPECT_FALSE(bucket.try_take(t0, wait));
  EXPECT_NEAR(std::chrono::duration<double>(wait).count(), 0.1, 1e-6);
  EXPECT_TRUE(bucket.try_take(t0 + 100ms, wait));
  EXPECT_FALSE(bucket.try_take(t0 + 100ms, wait));
}

TEST(token_bucket, holds_the_rate_over_a_long_run) {
  auto t = token_bucket::clock::time_point{};
  token_bucket bucket(50.0, 1.0, t);
  int taken = 0;
  for (auto end = t + 10s; t < end; t += 1ms) {
    token_bucket::clock::duration wait{};
    if (bucket.try_take(t, wait)) ++taken;
  }
  EXPECT_NEAR(taken, 500, 2);
}

// A rate of 1e-10 a second (the mock's limit=1e-10) needs 1e10 s for a token: more nanoseconds
// than the clock holds. The wait is capped at a year, never an overflowed (negative) duration.
TEST(token_bucket, the_wait_at_a_vanishing_rate_is_capped_never_overflowed) {
  auto t = token_bucket::clock::now();
  token_bucket bucket(1e-10, 1, t);
  token_bucket::clock::duration wait{};
  EXPECT_TRUE(bucket.try_take(t, wait));
  EXPECT_FALSE(bucket.try_take(t, wait));
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::hours>(wait).count(), 365 * 24);
}

TEST(parse_rate, units) {
  EXPECT_EQ(parse_rate("50"), 50.0);
  EXPECT_EQ(parse_rate("50/s"), 50.0);
  EXPECT_EQ(parse_rate("300/m"), 5.0);
  EXPECT_EQ(parse_rate("2.5/s"), 2.5);
  EXPECT_EQ(parse_rate("7200/h"), 2.0);
  EXPECT_EQ(parse_rate("1e2/m"), 100.0 / 60);
  for (const char* bad :
       {"", "/s", "/h", "0", "-1/s", "fast", "5/d", "5/H", "nan", "inf", "0x10", " 5", "5 /s", "5/s "})
    EXPECT_FALSE(parse_rate(bad).has_value()) << bad;
}

TEST(check_rate_option, a_rate_below_one_an_hour_is_refused_naming_the_option) {
  double rate = 0;
  EXPECT_EQ(check_rate_option("--rate", "1e-300", rate),
            "--rate '1e-300' is below the lowest rate, 1 per hour (e.g. 1/h, 0.1/m)");
  EXPECT_EQ(check_rate_option("--host-rate", "0.01/m", rate),
            "--host-rate '0.01/m' is below the lowest rate, 1 per hour (e.g. 1/h, 0.1/m)");
  EXPECT_EQ(check_rate_option("--rate", "0", rate), "--rate '0' is not a rate above 0 (e.g. 50, 50/s, 300/m, 100/h)");
  EXPECT_EQ(check_rate_option("--rate", "x\n", rate),
            "--rate 'x\\n' is not a rate above 0 (e.g. 50, 50/s, 300/m, 100/h)");
  EXPECT_EQ(rate, 0.0);
  EXPECT_EQ(check_rate_option("--rate", "0.0167/m", rate), std::nullopt);  // just over 1 an hour
  EXPECT_NEAR(rate, 0.0167 / 60, 1e-12);
  EXPECT_EQ(check_rate_option("--rate", "1/h", rate), std::nullopt);  // the lowest
  EXPECT_NEAR(rate, 1.0 / 3600, 1e-12);
}

}  // namespace
}  // namespace serentak
