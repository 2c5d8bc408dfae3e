#include "core/distinct_estimate.hpp"

#include <cstdint>

#include <gtest/gtest.h>

namespace serentak {
namespace {

std::uint64_t mix(std::uint64_t x) {  // splitmix64: well-spread stand-ins for item hashes
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

TEST(distinct_estimate, is_within_two_percent_from_a_thousand_to_four_million) {
  for (std::uint64_t n : {1000ULL, 50000ULL, 1000000ULL, 4000000ULL}) {
    distinct_estimate sketch;
    for (std::uint64_t i = 0; i < n; ++i) sketch.add(mix(i));
    double ratio = static_cast<double>(sketch.estimate()) / static_cast<double>(n);
    EXPECT_NEAR(ratio, 1.0, 0.02) << n;
  }
}

TEST(distinct_estimate, repeats_do_not_change_it) {
  distinct_estimate once;
  distinct_estimate thrice;
  for (std::uint64_t i = 0; i < 100000; ++i) once.add(mix(i));
  for (int round = 0; round < 3; ++round) {
    for (std::uint64_t i = 0; i < 100000; ++i) thrice.add(mix(i));
  }
  EXPECT_EQ(once.estimate(), thrice.estimate());
  EXPECT_EQ(distinct_estimate().estimate(), 0u);
}

}  // namespace
}  // namespace serentak
