#include "core/timestamp.hpp"

#include <cstdlib>
#include <ctime>

#include <gtest/gtest.h>

namespace {

using serentak::format_timestamp;
using serentak::wall_clock;

// Tests read timestamps in UTC so the expected text does not depend on the machine's zone.
class timestamp_test : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("TZ", "UTC", 1);
    ::tzset();
  }
};

wall_clock::time_point at(std::int64_t unix_seconds, std::int64_t micros = 0) {
  return wall_clock::time_point(std::chrono::duration_cast<wall_clock::duration>(std::chrono::seconds(unix_seconds) +
                                                                                 std::chrono::microseconds(micros)));
}

constexpr std::int64_t nov_24_2026_09_15_02 = 1795511702;  // 2026-11-24 09:15:02 UTC

TEST_F(timestamp_test, prints_the_seed_format_with_all_six_microsecond_digits) {
  EXPECT_EQ(format_timestamp(at(nov_24_2026_09_15_02, 1)), "2026-11-24 09:15:02.000001");
  EXPECT_EQ(format_timestamp(at(nov_24_2026_09_15_02, 0)), "2026-11-24 09:15:02.000000");
  EXPECT_EQ(format_timestamp(at(nov_24_2026_09_15_02, 999999)), "2026-11-24 09:15:02.999999");
}

TEST_F(timestamp_test, each_second_is_its_own_even_when_calls_go_back_and_forth) {
  // The formatted second is cached per thread: a new second, and an earlier one, must not reuse it.
  EXPECT_EQ(format_timestamp(at(nov_24_2026_09_15_02, 5)), "2026-11-24 09:15:02.000005");
  EXPECT_EQ(format_timestamp(at(nov_24_2026_09_15_02 + 1, 5)), "2026-11-24 09:15:03.000005");
  EXPECT_EQ(format_timestamp(at(nov_24_2026_09_15_02 + 86400, 7)), "2026-11-25 09:15:02.000007");
  EXPECT_EQ(format_timestamp(at(nov_24_2026_09_15_02, 9)), "2026-11-24 09:15:02.000009");
}

TEST_F(timestamp_test, the_allocation_free_form_writes_the_same_characters) {
  char buffer[serentak::timestamp_length + 1] = {};
  serentak::format_timestamp_into(at(nov_24_2026_09_15_02, 123456), buffer);
  EXPECT_STREQ(buffer, "2026-11-24 09:15:02.123456");
}

}  // namespace
