#include "client/outputs/progress_line.hpp"

#include <gtest/gtest.h>

namespace serentak::client {
namespace {

meter_snapshot counts(std::uint64_t ok, std::uint64_t not_found, std::uint64_t timeouts, std::uint64_t server_errors) {
  meter_snapshot m;
  m.by_outcome[static_cast<std::size_t>(outcome::ok)] = ok;
  m.by_outcome[static_cast<std::size_t>(outcome::not_found)] = not_found;
  m.by_outcome[static_cast<std::size_t>(outcome::timeout)] = timeouts;
  m.by_outcome[static_cast<std::size_t>(outcome::server_error)] = server_errors;
  return m;
}

TEST(progress_line, shows_done_total_counts_by_class_rate_and_eta) {
  EXPECT_EQ(progress_line::render(counts(240, 7, 2, 1), 1000, 5.0),
            "250/1000 done (25%): 240 ok, 7 404, 3 failed; 50.0/s, ETA 15s");
  EXPECT_EQ(progress_line::render(counts(0, 0, 0, 0), 10, 0.0), "0/10 done (0%): 0 ok, 0 404, 0 failed; 0.0/s, ETA --");
}

TEST(progress_line, a_404_is_not_counted_as_failed) {
  EXPECT_EQ(progress_line::render(counts(0, 10, 0, 0), 10, 2.0),
            "10/10 done (100%): 0 ok, 10 404, 0 failed; 5.0/s, ETA 0s");
}

TEST(run_meter, counts_by_outcome_and_keeps_latencies) {
  run_meter meter;
  meter.count(outcome::ok, std::chrono::microseconds(1500));
  meter.count(outcome::not_found, std::chrono::microseconds(500));
  meter.count(outcome::connection_error, std::chrono::microseconds(90));
  meter_snapshot m = meter.snapshot();
  EXPECT_EQ(m.done(), 3u);
  EXPECT_EQ(m.ok(), 1u);
  EXPECT_EQ(m.not_found(), 1u);
  EXPECT_EQ(m.other_failures(), 1u);
  EXPECT_EQ(m.latencies.count(), 3u);
  EXPECT_EQ(m.latencies.max(), 1500u);
}

}  // namespace
}  // namespace serentak::client
