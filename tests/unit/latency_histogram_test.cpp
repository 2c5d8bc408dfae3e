#include "core/latency_histogram.hpp"

#include <gtest/gtest.h>

#include "core/run_summary.hpp"

#include <nlohmann/json.hpp>

namespace serentak {
namespace {

TEST(latency_histogram, buckets_cover_values_within_their_edges) {
  for (std::uint64_t v : {0ULL, 1ULL, 127ULL, 128ULL, 129ULL, 1000ULL, 123456ULL, 5000000ULL, 3600000000ULL}) {
    std::size_t b = latency_histogram::bucket_of(v);
    EXPECT_GE(latency_histogram::bucket_upper(b), v) << v;
    if (b > 0) {
      EXPECT_LT(latency_histogram::bucket_upper(b - 1), v) << v;
    }
  }
}

TEST(latency_histogram, percentiles_are_within_two_percent) {
  latency_histogram h;
  for (std::uint64_t v = 1; v <= 100000; ++v) h.record(v * 10);  // 10 us .. 1 s
  EXPECT_EQ(h.count(), 100000u);
  EXPECT_EQ(h.min(), 10u);
  EXPECT_EQ(h.max(), 1000000u);
  for (double q : {0.5, 0.9, 0.99}) {
    double truth = q * 1000000.0;
    EXPECT_NEAR(static_cast<double>(h.percentile(q)), truth, truth * 0.02) << q;
  }
  EXPECT_EQ(h.percentile(1.0), 1000000u);
}

TEST(latency_histogram, merge_equals_recording_everything_in_one) {
  latency_histogram a, b, all;
  for (std::uint64_t v = 0; v < 5000; ++v) {
    (v % 2 ? a : b).record(v * 37);
    all.record(v * 37);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.sum(), all.sum());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  EXPECT_EQ(a.percentile(0.9), all.percentile(0.9));
}

TEST(latency_histogram, clamps_huge_values_instead_of_overflowing) {
  latency_histogram h;
  h.record(UINT64_MAX / 2);
  EXPECT_EQ(h.count(), 1u);
  EXPECT_EQ(h.percentile(0.5), UINT64_MAX / 2);
}

TEST(run_summary, counts_every_outcome_and_renders_zeros) {
  run_summary s;
  s.add(outcome::ok, 1, std::chrono::milliseconds(200));
  s.add(outcome::not_found, 2, std::chrono::milliseconds(300));
  s.wall = std::chrono::milliseconds(400);
  EXPECT_EQ(s.items(), 2u);
  EXPECT_EQ(s.failures(), 1u);
  EXPECT_NEAR(s.sequential_seconds(), 0.5, 1e-9);
  std::string text = render_summary_text(s);
  for (outcome o : all_outcomes) EXPECT_NE(text.find(std::string(to_string(o)) + " "), std::string::npos) << text;
  EXPECT_NE(text.find("unexpected 0"), std::string::npos);
  EXPECT_NE(text.find(", 1 retry\n"), std::string::npos) << text;  // singular (it once said "1 retries")
  auto j = nlohmann::json::parse(render_summary_json(s));
  EXPECT_EQ(j["outcomes"]["ok"], 1);
  EXPECT_EQ(j["outcomes"]["timeout"], 0);
  EXPECT_EQ(j["retries"], 1);
  EXPECT_NEAR(j["concurrency_gain"].get<double>(), 1.25, 1e-6);
}

}  // namespace
}  // namespace serentak
