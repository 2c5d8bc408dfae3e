#include "core/host_budget.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "core/host_key.hpp"

namespace serentak {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

TEST(host_key, one_key_per_scheme_host_and_port) {
  EXPECT_EQ(host_key("http://API.Example/a?b"), "http://api.example:80");
  EXPECT_EQ(host_key("http://api.example:80/b"), "http://api.example:80");
  EXPECT_EQ(host_key("HTTPS://api.example/x"), "https://api.example:443");
  EXPECT_EQ(host_key("http://user:secret@127.0.0.1:5000/p"), "http://127.0.0.1:5000");
  EXPECT_EQ(host_key("http://[::1]:8080/p"), "http://[::1]:8080");
  EXPECT_EQ(host_key("http://[::1]/p"), "http://[::1]:80");
  EXPECT_EQ(host_key("http://h?q=1"), "http://h:80");
  EXPECT_EQ(host_key("no-scheme/p"), "");
  EXPECT_EQ(host_key("http:///p"), "");
}

TEST(host_budget, caps_attempts_in_flight_and_frees_a_place_when_one_ends) {
  host_limits limits;
  limits.max_in_flight = 2;
  const auto t0 = clock_type::now();
  host_budget budget(limits, t0);
  clock_type::duration wait{};
  EXPECT_TRUE(budget.try_start(t0, wait));
  EXPECT_TRUE(budget.try_start(t0, wait));
  EXPECT_FALSE(budget.try_start(t0, wait));
  EXPECT_GT(wait, 0ns);
  budget.finish(t0, 200, std::nullopt);
  EXPECT_TRUE(budget.try_start(t0, wait));
  EXPECT_EQ(budget.counts().attempts, 3U);
  EXPECT_EQ(budget.in_flight(), 2U);
}

TEST(host_budget, a_host_rate_spaces_attempts) {
  host_limits limits;
  limits.rate_per_second = 10.0;
  const auto t0 = clock_type::now();
  host_budget budget(limits, t0);
  clock_type::duration wait{};
  EXPECT_TRUE(budget.try_start(t0, wait));  // the bucket starts with one token
  EXPECT_FALSE(budget.try_start(t0, wait));
  EXPECT_NEAR(std::chrono::duration<double>(wait).count(), 0.1, 0.001);
  EXPECT_TRUE(budget.try_start(t0 + 100ms, wait));
  EXPECT_FALSE(budget.try_start(t0 + 150ms, wait));
}

TEST(host_budget, retry_after_pauses_the_whole_host_up_to_the_cap) {
  host_limits limits;
  limits.max_in_flight = 10;
  limits.max_pause = 5s;
  const auto t0 = clock_type::now();
  host_budget budget(limits, t0);
  clock_type::duration wait{};
  ASSERT_TRUE(budget.try_start(t0, wait));
  budget.finish(t0, 429, std::chrono::milliseconds(2000));
  EXPECT_FALSE(budget.try_start(t0 + 1s, wait));
  EXPECT_EQ(wait, 1s);
  EXPECT_TRUE(budget.try_start(t0 + 2s, wait));
  budget.finish(t0 + 2s, 503, std::chrono::milliseconds(60'000));  // capped at max_pause
  EXPECT_FALSE(budget.try_start(t0 + 6s, wait));
  EXPECT_TRUE(budget.try_start(t0 + 7s, wait));
  EXPECT_EQ(budget.counts().seen_429, 1U);
  EXPECT_EQ(budget.counts().seen_503, 1U);
  EXPECT_EQ(budget.counts().pauses, 2U);
}

TEST(host_budget, without_limits_a_retry_after_does_not_pause) {
  host_limits none;
  const auto t0 = clock_type::now();
  host_budget budget(none, t0);
  clock_type::duration wait{};
  ASSERT_TRUE(budget.try_start(t0, wait));
  budget.finish(t0, 429, std::chrono::milliseconds(2000));
  EXPECT_TRUE(budget.try_start(t0, wait));
  EXPECT_FALSE(budget.rate().has_value());
}

TEST(host_budget, adaptive_takes_its_first_rate_from_what_the_host_accepted) {
  host_limits limits;
  limits.adaptive = true;
  const auto t0 = clock_type::now();
  host_budget budget(limits, t0);
  clock_type::duration wait{};
  EXPECT_FALSE(budget.rate().has_value());  // unlimited until pushed back
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(budget.try_start(t0 + i * 1ms, wait));
    budget.finish(t0 + i * 1ms, 200, std::nullopt);
  }
  ASSERT_TRUE(budget.try_start(t0 + 60ms, wait));
  budget.finish(t0 + 60ms, 429, std::nullopt);
  ASSERT_TRUE(budget.rate().has_value());
  EXPECT_NEAR(*budget.rate(), 45.0, 0.01);  // 50 accepted within the second, x0.9
}

TEST(host_budget, adaptive_decreases_once_per_congestion_event_and_raises_additively) {
  host_limits limits;
  limits.adaptive = true;
  limits.rate_per_second = 40.0;
  const auto t0 = clock_type::now();
  host_budget budget(limits, t0);
  clock_type::duration wait{};
  ASSERT_TRUE(budget.try_start(t0, wait));
  budget.finish(t0, 429, std::nullopt);
  EXPECT_NEAR(*budget.rate(), 36.0, 1e-9);
  budget.finish(t0 + 10ms, 429, std::nullopt);  // an answer to an attempt already in flight
  EXPECT_NEAR(*budget.rate(), 36.0, 1e-9);
  budget.finish(t0 + 1100ms, 503, std::nullopt);  // a new event
  EXPECT_NEAR(*budget.rate(), 32.4, 1e-9);
  // 32.4 answers at 32.4/s add 1/s.
  double before = *budget.rate();
  for (int i = 0; i < 32; ++i) budget.finish(t0 + 1200ms, 200, std::nullopt);
  EXPECT_NEAR(*budget.rate() - before, 1.0, 0.05);
  // Never above --host-rate, which is the ceiling under --adaptive.
  for (int i = 0; i < 5000; ++i) budget.finish(t0 + 2s, 200, std::nullopt);
  EXPECT_DOUBLE_EQ(*budget.rate(), 40.0);
}

TEST(host_budget, adaptive_never_goes_below_its_floor) {
  host_limits limits;
  limits.adaptive = true;
  limits.rate_per_second = 1.0;
  const auto t0 = clock_type::now();
  host_budget budget(limits, t0);
  for (int i = 0; i < 100; ++i) budget.finish(t0 + i * 2s, 429, std::nullopt);
  EXPECT_DOUBLE_EQ(*budget.rate(), limits.floor_per_second);
}

}  // namespace
}  // namespace serentak
