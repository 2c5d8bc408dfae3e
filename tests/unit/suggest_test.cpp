#include "cli/suggest.hpp"

#include <gtest/gtest.h>

namespace serentak::cli {
namespace {

const std::vector<std::string> commands{"serve", "demo", "weather", "books", "pizza", "health", "profiles", "fetch"};

TEST(edit_distance, counts_inserts_deletes_substitutions_and_swaps_as_one_edit) {
  EXPECT_EQ(edit_distance("weather", "weather"), 0u);
  EXPECT_EQ(edit_distance("wether", "weather"), 1u);
  EXPECT_EQ(edit_distance("waether", "weather"), 1u);  // a swap of neighbours
  EXPECT_EQ(edit_distance("--timout", "--timeout"), 1u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}

TEST(closest_name, suggests_a_near_name_and_nothing_for_a_far_one) {
  EXPECT_EQ(closest_name("wether", commands), "weather");
  EXPECT_EQ(closest_name("fecth", commands), "fetch");
  EXPECT_EQ(closest_name("profile", commands), "profiles");
  EXPECT_EQ(closest_name("--timout", {"--timeout", "--connect-timeout", "--threads"}), "--timeout");
  EXPECT_FALSE(closest_name("x", commands).has_value());
  EXPECT_FALSE(closest_name("deploy", commands).has_value());
  EXPECT_FALSE(closest_name("", commands).has_value());
}

}  // namespace
}  // namespace serentak::cli
