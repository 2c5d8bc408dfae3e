// Protocol text is folded and trimmed the same whatever the C locale says: header names match,
// percent-escapes decode, and a header's value loses only the whitespace HTTP allows around it.
#include "core/ascii.hpp"

#include <gtest/gtest.h>

namespace serentak {
namespace {

TEST(ascii, lower_folds_only_ascii_capitals) {
  EXPECT_EQ(ascii_lower("Content-TYPE: X"), "content-type: x");
  EXPECT_EQ(ascii_lower("\xC3\x89t\xC3\xA9"), "\xC3\x89t\xC3\xA9");  // UTF-8 bytes kept as they are
  EXPECT_EQ(ascii_lower('@'), '@');
  EXPECT_EQ(ascii_lower('['), '[');
}

TEST(ascii, hex_digits_of_either_case_and_nothing_else) {
  EXPECT_EQ(hex_digit_value('0'), 0);
  EXPECT_EQ(hex_digit_value('9'), 9);
  EXPECT_EQ(hex_digit_value('a'), 10);
  EXPECT_EQ(hex_digit_value('F'), 15);
  EXPECT_EQ(hex_digit_value('g'), -1);
  EXPECT_EQ(hex_digit_value('G'), -1);
  EXPECT_EQ(hex_digit_value('/'), -1);
  EXPECT_EQ(hex_digit_value(':'), -1);
}

TEST(ascii, a_header_value_loses_spaces_tabs_and_a_trailing_cr_only) {
  EXPECT_EQ(trim_header_value(" \t120 \t\r"), "120");
  EXPECT_EQ(trim_header_value("a b\tc"), "a b\tc");  // inside the value: kept
  EXPECT_EQ(trim_header_value("\r120"), "\r120");    // a leading CR is not a line ending
  EXPECT_EQ(trim_header_value("120\n"), "120\n");    // nor is a bare LF trimmed
  EXPECT_EQ(trim_header_value(" \t \r"), "");
  EXPECT_EQ(trim_header_value(""), "");
}

}  // namespace
}  // namespace serentak
