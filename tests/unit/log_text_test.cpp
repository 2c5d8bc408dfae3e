#include "core/log_text.hpp"

#include <gtest/gtest.h>

namespace serentak {
namespace {

TEST(escape_for_log, passes_printable_utf8_through) {
  EXPECT_EQ(escape_for_log("Berhasil! Cuaca di JAKARTA: Cerah Berawan, 32°C"),
            "Berhasil! Cuaca di JAKARTA: Cerah Berawan, 32°C");
  EXPECT_EQ(escape_for_log("日本語"), "日本語");
}

TEST(escape_for_log, a_crlf_item_cannot_forge_a_line) {
  std::string escaped = escape_for_log("X\r\n[Worker-9] forged");
  EXPECT_EQ(escaped, "X\\r\\n[Worker-9] forged");
  EXPECT_EQ(escaped.find('\n'), std::string::npos);
  EXPECT_EQ(escaped.find('\r'), std::string::npos);
}

TEST(escape_for_log, escapes_controls_backslash_and_ansi) {
  EXPECT_EQ(escape_for_log("a\tb"), "a\\tb");
  EXPECT_EQ(escape_for_log("\x1b[31mred"), "\\x1B[31mred");
  EXPECT_EQ(escape_for_log(std::string("nul\0", 4)), "nul\\x00");
  EXPECT_EQ(escape_for_log("\x7f"), "\\x7F");
  EXPECT_EQ(escape_for_log("C:\\path"), "C:\\\\path");
}

TEST(escape_for_log, escapes_invalid_utf8_bytes) {
  EXPECT_EQ(escape_for_log("\xff\xfe"), "\\xFF\\xFE");
  EXPECT_EQ(escape_for_log("\xc3"), "\\xC3");           // truncated sequence
  EXPECT_EQ(escape_for_log("\xc0\xaf"), "\\xC0\\xAF");  // overlong '/'
  EXPECT_EQ(escape_for_log("\xed\xa0\x80"), "\\xED\\xA0\\x80");  // surrogate
}

TEST(escape_for_log, escapes_bidi_overrides_and_line_separators) {
  EXPECT_EQ(escape_for_log("a\u202Eb"), "a\\u{202E}b");
  EXPECT_EQ(escape_for_log("a\u2028b"), "a\\u{2028}b");
  EXPECT_EQ(escape_for_log("\u0085"), "\\u{0085}");  // C1 next-line
}

TEST(utf8_prefix, counts_characters_not_bytes) {
  EXPECT_EQ(utf8_prefix("abcdef", 3), "abc");
  EXPECT_EQ(utf8_prefix("°C°C", 3), "°C°");
  EXPECT_EQ(utf8_prefix("ab", 10), "ab");
  EXPECT_EQ(utf8_prefix("\xff\xff\xff", 2), "\xff\xff");
}

}  // namespace
}  // namespace serentak
