#include "core/json_validate.hpp"

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using serentak::is_valid_json;

// The contract: the same verdict as nlohmann::json::accept, which it replaces on fetch's hot path.
void expect_same_as_nlohmann(const std::string& text) {
  EXPECT_EQ(is_valid_json(text), nlohmann::json::accept(text)) << "text: " << ::testing::PrintToString(text);
}

const std::vector<std::string>& cases() {
  static const std::vector<std::string> all = {
      // Valid documents of every kind.
      R"({"followers":256,"fullName":"Beta Tester","user_id":"1122","username":"beta_tester"})"
      "\n",
      R"([1,-2,3.5,-0.25e+10,1E-3,0,-0,true,false,null,"",{},[]])",
      R"( { "a" : [ { "b" : { } } , [ [ ] ] ] } )",
      "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\"",
      "\"32\xC2\xB0"
      "C \xE2\x80\xAE \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF \xEF\xBF\xBF\"",
      "\xEF\xBB\xBF{}",
      "12345678901234567890123456789",
      "1e308",
      "1e-400",
      "-1.7976931348623157e308",
      std::string(400, '9'),
      "0." + std::string(400, '1'),
      std::string(320, '1') + ".5",
      // Invalid ones.
      "",
      " ",
      "{",
      "[",
      "]",
      "}",
      "[1,]",
      "{\"a\":1,}",
      "{,}",
      "[,1]",
      "{\"a\"}",
      "{\"a\" 1}",
      "{1:2}",
      "[1 2]",
      "[1]]",
      "{}}",
      "{} {}",
      "01",
      "-",
      "1.",
      ".5",
      "1e",
      "1e+",
      "+1",
      "-a",
      "0x10",
      "1e999",
      "-1e400",
      "NaN",
      "Infinity",
      "tru",
      "nul",
      "falsey",
      "True",
      "'a'",
      "\"a",
      "\"\\x\"",
      "\"\\u12\"",
      "\"\\uD800\"",
      "\"\\uDC00\"",
      "\"\\uD800\\u0041\"",
      "\"\\uD800x\"",
      "\"\x01\"",
      "\"\x1F\"",
      "\"a\nb\"",
      "\"\x7F\"",
      "\"\x80\"",
      "\"\xC0\xAF\"",
      "\"\xC1\xBF\"",
      "\"\xE0\x80\xAF\"",
      "\"\xED\xA0\x80\"",
      "\"\xF0\x80\x80\xAF\"",
      "\"\xF4\x90\x80\x80\"",
      "\"\xF5\x80\x80\x80\"",
      "\"\xFF\"",
      "\"\xC3\"",
      "\"\xE2\x82\"",
      "\xEF\xBB{}",
      "\xEF{}",
      "[1]x",
      "// c\n{}",
      "{\"a\":1}/*x*/",
      std::string(10000, '[') + std::string(10000, ']'),
      std::string(10000, '[') + std::string(9999, ']'),
  };
  return all;
}

TEST(json_validate, agrees_with_nlohmann_on_valid_and_invalid_documents) {
  for (const std::string& text : cases()) expect_same_as_nlohmann(text);
}

TEST(json_validate, a_nul_byte_ends_the_input_after_the_value_as_in_nlohmann) {
  const std::string after(std::string("[1] \0garbage", 12));
  EXPECT_TRUE(is_valid_json(after));
  expect_same_as_nlohmann(after);
  const std::string inside(std::string("[1,\0]", 5));
  EXPECT_FALSE(is_valid_json(inside));
  expect_same_as_nlohmann(inside);
  expect_same_as_nlohmann(std::string("\"a\0\"", 4));
  expect_same_as_nlohmann(std::string("\0", 1));
}

TEST(json_validate, deep_nesting_needs_no_recursion) {
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');
  EXPECT_TRUE(is_valid_json(deep));
  EXPECT_FALSE(is_valid_json(deep + "]"));
  EXPECT_FALSE(is_valid_json(std::string(200000, '{')));
}

// Every case cut short and with bytes flipped, inserted or deleted at random: the verdicts stay
// nlohmann's. Seeded, so a failure repeats.
TEST(json_validate, agrees_with_nlohmann_on_mutated_documents) {
  std::mt19937 rng(19);
  const std::string alphabet = std::string("{}[],:\"\\/ \t\r\n0123456789.-+eEabfnrtu") +
                               std::string("\0\x1F\x7F\x80\xBF\xC2\xE0\xED\xF0\xF4\xFF", 11);
  for (const std::string& base : cases()) {
    if (base.size() > 500) continue;
    for (std::size_t cut = 0; cut <= base.size(); ++cut) expect_same_as_nlohmann(base.substr(0, cut));
    for (int round = 0; round < 200; ++round) {
      std::string text = base;
      const int edits = 1 + static_cast<int>(rng() % 3);
      for (int e = 0; e < edits; ++e) {
        const char c = alphabet[rng() % alphabet.size()];
        const std::size_t at = text.empty() ? 0 : rng() % text.size();
        switch (rng() % 3) {
          case 0:
            if (!text.empty()) text[at] = c;
            break;
          case 1:
            text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), c);
            break;
          default:
            if (!text.empty()) text.erase(at, 1);
        }
      }
      expect_same_as_nlohmann(text);
    }
  }
}

}  // namespace
