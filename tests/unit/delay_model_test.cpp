// The delay model: seeded draws are pure functions of (seed, path, item), so a seeded run is
// reproducible whatever order requests arrive in; delays stay in the theme's range times the scale.
#include "scenario/delay_model.hpp"

#include "core/fnv1a.hpp"
#include "core/splitmix64.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace serentak::server {
namespace {

constexpr themes::delay_range weather_range{0.2, 0.6};

// The mock's seeded draws rest on these: a change would change every seeded run.
TEST(DelayModel, Fnv1aAndSplitmixMatchTheirReferenceValues) {
  EXPECT_EQ(fnv1a_64().value(), 0xcbf29ce484222325ULL);
  EXPECT_EQ(fnv1a_64().add("a").value(), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(fnv1a_64().add("foobar").value(), 0x85944171f73967e8ULL);
  EXPECT_EQ(fnv1a_64().add("foo").add("bar").value(), 0x85944171f73967e8ULL) << "chained as one";
  EXPECT_EQ(splitmix64(0), 0xe220a8397b1dcdafULL);
}

TEST(DelayModel, UnitIntervalCoversZeroToJustBelowOne) {
  EXPECT_EQ(delay_model::unit_interval(0), 0.0);
  EXPECT_LT(delay_model::unit_interval(~0ULL), 1.0);
  EXPECT_GT(delay_model::unit_interval(~0ULL), 0.9999999);
}

TEST(DelayModel, SeededDelayIsAFunctionOfSeedPathAndItem) {
  delay_model a(42, 1.0);
  delay_model b(42, 1.0);
  double first = a.delay_s("/get_weather", "JAKARTA", weather_range);
  // Other draws in between (other items, other order) change nothing.
  b.delay_s("/get_weather", "BANDUNG", weather_range);
  b.delay_s("/check_book_status", "JAKARTA", weather_range);
  EXPECT_EQ(b.delay_s("/get_weather", "JAKARTA", weather_range), first);
  EXPECT_EQ(a.delay_s("/get_weather", "JAKARTA", weather_range), first);
}

TEST(DelayModel, SeededDrawsDependOnEveryInput) {
  delay_model model(42, 1.0);
  double base = model.delay_s("/get_weather", "JAKARTA", weather_range);
  EXPECT_NE(delay_model(43, 1.0).delay_s("/get_weather", "JAKARTA", weather_range), base);
  EXPECT_NE(model.delay_s("/get_weather", "BANDUNG", weather_range), base);
  EXPECT_NE(model.delay_s("/get_order_status", "JAKARTA", weather_range), base);
  // The path/item boundary is part of the hash.
  EXPECT_NE(model.draw("/ab", "c", 1), model.draw("/a", "bc", 1));
  // Delay and pick are independent streams.
  EXPECT_NE(model.draw("/get_weather", "", 1), model.draw("/get_weather", "", 2));
}

TEST(DelayModel, SeededDrawsAreTheSameFromEveryThread) {
  delay_model model(7, 1.0);
  double expected = model.delay_s("/status/slow", "", {2.0, 3.0});
  std::vector<double> seen(4);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&, i] { seen[i] = model.delay_s("/status/slow", "", {2.0, 3.0}); });
  }
  for (auto& t : threads) t.join();
  for (double d : seen) EXPECT_EQ(d, expected);
}

TEST(DelayModel, DelaysStayInTheRangeTimesTheScale) {
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    double d = delay_model(seed, 1.0).delay_s("/get_weather", std::to_string(seed), weather_range);
    EXPECT_GE(d, 0.2);
    EXPECT_LT(d, 0.6);
    double scaled = delay_model(seed, 0.5).delay_s("/get_weather", std::to_string(seed), weather_range);
    EXPECT_DOUBLE_EQ(scaled, d * 0.5);
  }
}

TEST(DelayModel, SeededDelaysSpreadOverTheRange) {
  delay_model model(1, 1.0);
  int low = 0;
  int high = 0;
  for (int i = 0; i < 1000; ++i) {
    double d = model.delay_s("/get_weather", "city-" + std::to_string(i), weather_range);
    low += d < 0.4 ? 1 : 0;
    high += d >= 0.4 ? 1 : 0;
  }
  EXPECT_GT(low, 400);  // uniform: about 500 each
  EXPECT_GT(high, 400);
}

TEST(DelayModel, ZeroScaleOrZeroRangeMeansNoDelay) {
  EXPECT_EQ(delay_model(42, 0.0).delay_s("/get_weather", "JAKARTA", weather_range), 0.0);
  EXPECT_EQ(delay_model(std::nullopt, 0.0).delay_s("/get_weather", "JAKARTA", weather_range), 0.0);
  EXPECT_EQ(delay_model(42, 1.0).delay_s("/status/ok", "", {0, 0}), 0.0);
}

TEST(DelayModel, UnseededDelaysVaryAndStayInRange) {
  delay_model model(std::nullopt, 1.0);
  EXPECT_FALSE(model.seeded());
  std::set<double> seen;
  for (int i = 0; i < 50; ++i) {
    double d = model.delay_s("/get_weather", "JAKARTA", weather_range);
    EXPECT_GE(d, 0.2);
    EXPECT_LT(d, 0.6);
    seen.insert(d);
  }
  EXPECT_GT(seen.size(), 40u);
}

TEST(DelayModel, PickCoversEveryIndexAndIsReproducible) {
  std::set<std::size_t> picked;
  for (int i = 0; i < 200; ++i) {
    std::size_t index = delay_model(static_cast<std::uint64_t>(i), 1.0).pick("/get_weather", "", 5);
    EXPECT_LT(index, 5u);
    picked.insert(index);
  }
  EXPECT_EQ(picked.size(), 5u);
  EXPECT_EQ(delay_model(9, 1.0).pick("/get_weather", "", 5), delay_model(9, 1.0).pick("/get_weather", "", 5));
  EXPECT_THROW(delay_model(9, 1.0).pick("/get_weather", "", 0), std::invalid_argument);
}

TEST(DelayModel, RejectsNegativeOrNonFiniteScales) {
  EXPECT_THROW(delay_model(std::nullopt, -0.1), std::invalid_argument);
  EXPECT_THROW(delay_model(std::nullopt, std::numeric_limits<double>::infinity()), std::invalid_argument);
  EXPECT_THROW(delay_model(std::nullopt, std::numeric_limits<double>::quiet_NaN()), std::invalid_argument);
}

TEST(DelayModel, ToDurationRoundsToNanoseconds) {
  EXPECT_EQ(to_duration(0.25).count(), 250'000'000);
  EXPECT_EQ(to_duration(0.0).count(), 0);
  EXPECT_EQ(to_duration(1e300), std::chrono::seconds(1'000'000'000));  // a huge scale cannot overflow
}

}  // namespace
}  // namespace serentak::server
