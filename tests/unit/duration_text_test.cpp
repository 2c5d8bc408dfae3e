#include "core/duration_text.hpp"

#include <gtest/gtest.h>

namespace serentak {
namespace {

double seconds(std::string_view text) { return parse_duration(text).value().count(); }

TEST(parse_duration, takes_units_and_bare_seconds) {
  EXPECT_DOUBLE_EQ(seconds("500ms"), 0.5);
  EXPECT_DOUBLE_EQ(seconds("5s"), 5.0);
  EXPECT_DOUBLE_EQ(seconds("2m"), 120.0);
  EXPECT_DOUBLE_EQ(seconds("1h"), 3600.0);
  EXPECT_DOUBLE_EQ(seconds("1.5s"), 1.5);
  EXPECT_DOUBLE_EQ(seconds("5"), 5.0);
  EXPECT_DOUBLE_EQ(seconds("2.5"), 2.5);
  EXPECT_DOUBLE_EQ(seconds("0"), 0.0);
}

TEST(parse_duration, refuses_everything_else) {
  for (std::string_view bad :
       {"", "-5", "+5", "5x", "5 s", " 5", "ms", "s", "nan", "inf", "5mss", "1e3", "5sec", "0x10", "1..5s", "5S"}) {
    EXPECT_FALSE(parse_duration(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace serentak
