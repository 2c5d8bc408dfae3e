#include "core/outcome.hpp"

#include <gtest/gtest.h>

namespace serentak {
namespace {

TEST(outcome, names_round_trip_for_every_category) {
  for (outcome o : all_outcomes) {
    auto parsed = outcome_from_string(to_string(o));
    ASSERT_TRUE(parsed.has_value()) << to_string(o);
    EXPECT_EQ(*parsed, o);
  }
  EXPECT_FALSE(outcome_from_string("fine").has_value());
}

TEST(outcome, classify_status_maps_each_range) {
  EXPECT_EQ(classify_status(200), outcome::ok);
  EXPECT_EQ(classify_status(204), outcome::ok);
  EXPECT_EQ(classify_status(404), outcome::not_found);
  EXPECT_EQ(classify_status(400), outcome::client_error);
  EXPECT_EQ(classify_status(429), outcome::client_error);
  EXPECT_EQ(classify_status(500), outcome::server_error);
  EXPECT_EQ(classify_status(503), outcome::server_error);
  EXPECT_EQ(classify_status(302), outcome::invalid_response);
  EXPECT_EQ(classify_status(101), outcome::invalid_response);
  EXPECT_EQ(classify_status(0), outcome::invalid_response);
  EXPECT_EQ(classify_status(600), outcome::invalid_response);
}

TEST(outcome, only_transient_failures_are_retryable) {
  EXPECT_TRUE(is_retryable(outcome::timeout, 0));
  EXPECT_TRUE(is_retryable(outcome::connection_error, 0));
  for (long status : {408L, 429L}) EXPECT_TRUE(is_retryable(outcome::client_error, status)) << status;
  for (long status : {500L, 502L, 503L, 504L}) EXPECT_TRUE(is_retryable(outcome::server_error, status)) << status;
  EXPECT_FALSE(is_retryable(outcome::server_error, 501));
  EXPECT_FALSE(is_retryable(outcome::client_error, 400));
  EXPECT_FALSE(is_retryable(outcome::not_found, 404));
  EXPECT_FALSE(is_retryable(outcome::ok, 200));
  EXPECT_FALSE(is_retryable(outcome::invalid_response, 200));
  EXPECT_FALSE(is_retryable(outcome::unexpected, 0));
}

TEST(outcome, only_ok_is_success) {
  for (outcome o : all_outcomes) EXPECT_EQ(is_success(o), o == outcome::ok) << to_string(o);
}

}  // namespace
}  // namespace serentak
