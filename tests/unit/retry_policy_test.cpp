#include "core/retry_policy.hpp"

#include <gtest/gtest.h>

namespace serentak {
namespace {

using namespace std::chrono_literals;

TEST(retry_policy, retries_only_transient_outcomes_up_to_the_limit) {
  retry_policy p;
  p.max_retries = 2;
  EXPECT_TRUE(p.should_retry(outcome::timeout, 0, 1));
  EXPECT_TRUE(p.should_retry(outcome::server_error, 503, 2));
  EXPECT_FALSE(p.should_retry(outcome::server_error, 503, 3)) << "2 retries = 3 attempts";
  EXPECT_FALSE(p.should_retry(outcome::not_found, 404, 1));
  EXPECT_FALSE(p.should_retry(outcome::server_error, 501, 1));
  EXPECT_TRUE(p.should_retry(outcome::client_error, 429, 1));
  EXPECT_FALSE(retry_policy{}.should_retry(outcome::timeout, 0, 1)) << "no retries by default";
}

TEST(retry_policy, full_jitter_backoff_grows_and_is_capped) {
  retry_policy p;
  p.base_delay = 100ms;
  p.max_delay = 1000ms;
  EXPECT_EQ(p.delay_before(1, 0.999999, std::nullopt), 99ms);
  EXPECT_EQ(p.delay_before(2, 0.5, std::nullopt), 100ms);
  EXPECT_EQ(p.delay_before(3, 0.5, std::nullopt), 200ms);
  EXPECT_EQ(p.delay_before(10, 0.5, std::nullopt), 500ms) << "capped at max_delay";
  EXPECT_EQ(p.delay_before(1000, 0.5, std::nullopt), 500ms) << "no overflow";
  EXPECT_EQ(p.delay_before(3, 0.0, std::nullopt), 0ms);
}

TEST(retry_policy, retry_after_wins_and_is_capped) {
  retry_policy p;
  p.max_retry_after = 5000ms;
  EXPECT_EQ(p.delay_before(1, 0.9, 1000ms), 1000ms);
  EXPECT_EQ(p.delay_before(1, 0.9, 60000ms), 5000ms);
}

TEST(parse_retry_after, seconds_and_http_dates) {
  auto now = std::chrono::system_clock::from_time_t(1445412480);  // Wed, 21 Oct 2015 07:28:00 GMT
  EXPECT_EQ(parse_retry_after("1", now), 1000ms);
  EXPECT_EQ(parse_retry_after(" 120 ", now), 120000ms);
  EXPECT_EQ(parse_retry_after("\t120\r", now), 120000ms) << "a line ending's CR left on the value";
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now), 30000ms);
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now), 0ms) << "a past date means now";
  EXPECT_FALSE(parse_retry_after("soon", now).has_value());
  EXPECT_FALSE(parse_retry_after("-1", now).has_value());
  EXPECT_FALSE(parse_retry_after("", now).has_value());
  EXPECT_GT(parse_retry_after("99999999999999999999", now).value(), 1000000s) << "absurd values hit the cap later";
}

}  // namespace
}  // namespace serentak
