#include "core/json_text.hpp"

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using serentak::append_json_string;

std::string json_string(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

TEST(json_text, every_ascii_byte_round_trips_through_a_json_parser_on_one_line) {
  std::string all;
  for (int c = 1; c < 0x80; ++c) all.push_back(static_cast<char>(c));
  all.push_back('\0');
  std::string literal = json_string(all);
  EXPECT_EQ(literal.find('\n'), std::string::npos);
  EXPECT_EQ(literal.find('\r'), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(literal).get<std::string>(), all);
}

TEST(json_text, valid_utf8_passes_through_unchanged) {
  EXPECT_EQ(json_string("32°C, Jakarta \u202E"), "\"32°C, Jakarta \u202E\"");
}

TEST(json_text, invalid_utf8_becomes_replacement_characters_and_stays_valid_json) {
  std::string literal = json_string("a\xFF\xC3(b\xED\xA0\x80");  // stray byte, cut sequence, surrogate
  auto parsed = nlohmann::json::parse(literal);  // throws on invalid UTF-8
  EXPECT_EQ(parsed.get<std::string>(), "a\uFFFD\uFFFD(b\uFFFD\uFFFD\uFFFD");
}

TEST(json_text, quotes_and_backslashes_cannot_end_the_string_early) {
  EXPECT_EQ(json_string(R"(x","y":"\)"), R"("x\",\"y\":\"\\")");
}

}  // namespace
