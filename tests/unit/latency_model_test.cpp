// Latency models: every draw stays within the model's bounds, a seed makes draws reproducible per
// (path, item), a lognormal centres on its median and a mix honours its shares.
#include "scenario/latency_model.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "scenario/delay_model.hpp"

namespace serentak::server {
namespace {

std::vector<double> draws(const latency_model& model, std::uint64_t seed, int count, double scale = 1.0) {
  delay_model delays(seed, scale);
  std::vector<double> out;
  for (int i = 0; i < count; ++i) out.push_back(delays.delay_s("/api", std::to_string(i), model));
  return out;
}

TEST(LatencyModel, FixedAlwaysWaitsItsSeconds) {
  for (double d : draws(latency_model::fixed(0.75), 1, 50)) EXPECT_EQ(d, 0.75);
  for (double d : draws(latency_model::fixed(0.75), 1, 50, 2.0)) EXPECT_EQ(d, 1.5);
}

TEST(LatencyModel, UniformStaysInItsRangeAndMatchesTheThemeRangeDraw) {
  latency_model model = latency_model::uniform(0.1, 0.3);
  delay_model delays(9, 1.0);
  for (int i = 0; i < 500; ++i) {
    double d = delays.delay_s("/api", std::to_string(i), model);
    EXPECT_GE(d, 0.1);
    EXPECT_LT(d, 0.3);
    // The seed themes' delays are the same draw whether given as a range or a model.
    EXPECT_EQ(d, delays.delay_s("/api", std::to_string(i), themes::delay_range{0.1, 0.3}));
  }
}

TEST(LatencyModel, LognormalIsCappedPositiveAndCentredOnItsMedian) {
  latency_model model = latency_model::lognormal(0.2, 0.8, 1.5);
  std::vector<double> d = draws(model, 3, 4001);
  for (double x : d) {
    EXPECT_GT(x, 0.0);
    EXPECT_LE(x, 1.5);
  }
  std::nth_element(d.begin(), d.begin() + 2000, d.end());
  EXPECT_NEAR(d[2000], 0.2, 0.02);  // the sample median of 4001 draws
  // A wide sigma reaches the cap: the long tail is there, and bounded.
  std::vector<double> wide = draws(latency_model::lognormal(0.2, 2.0, 1.0), 3, 1000);
  EXPECT_GT(std::count(wide.begin(), wide.end(), 1.0), 10);
}

TEST(LatencyModel, MixGivesEachPartItsShare) {
  // "5% take 2 s, the rest uniform 0.1-0.3"
  latency_model model =
      latency_model::mix({{0.05, latency_model::fixed(2.0)}, {0.95, latency_model::uniform(0.1, 0.3)}});
  ASSERT_EQ(model.problem(), std::nullopt);
  EXPECT_EQ(model.max_delay_s(), 2.0);
  std::vector<double> d = draws(model, 5, 10000);
  auto slow = std::count(d.begin(), d.end(), 2.0);
  EXPECT_GT(slow, 400);
  EXPECT_LT(slow, 600);
  for (double x : d) EXPECT_TRUE(x == 2.0 || (x >= 0.1 && x < 0.3)) << x;
}

TEST(LatencyModel, SeededDrawsAreReproducibleAndDependOnTheSeed) {
  latency_model model =
      latency_model::mix({{0.5, latency_model::lognormal(0.3, 0.5, 3.0)}, {0.5, latency_model::uniform(0, 1)}});
  EXPECT_EQ(draws(model, 11, 200), draws(model, 11, 200));
  EXPECT_NE(draws(model, 11, 200), draws(model, 12, 200));
  // The same item gets the same delay whatever else was drawn before.
  delay_model a(11, 1.0);
  delay_model b(11, 1.0);
  b.delay_s("/api", "other", model);
  EXPECT_EQ(a.delay_s("/api", "7", model), b.delay_s("/api", "7", model));
}

TEST(LatencyModel, ProblemsNameTheField) {
  EXPECT_EQ(latency_model::fixed(-1).problem(), "seconds: must be a number >= 0");
  EXPECT_EQ(latency_model::uniform(0.5, 0.2).problem(), "max_s: must be a number >= min_s");
  EXPECT_EQ(latency_model::lognormal(0.2, -1, 1).problem(), "sigma: must be a number >= 0");
  EXPECT_EQ(latency_model::lognormal(0.2, 1, 0.1).problem(), "cap_s: must be a number >= median_s");
  EXPECT_EQ(latency_model::mix({{0.5, latency_model::fixed(1)}}).problem(),
            "parts: the shares must add up to 1, not 0.5");
  EXPECT_EQ(latency_model::mix({{1.5, latency_model::fixed(1)}}).problem(), "parts[0].share: must be in [0, 1]");
}

}  // namespace
}  // namespace serentak::server
