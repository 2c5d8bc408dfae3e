#include "core/item_lines.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace serentak {
namespace {

struct collected {
  std::vector<std::string> items;
  std::vector<std::size_t> lines;
};

collected parse(std::string_view input, std::size_t chunk = 7, std::size_t max_line = 64) {
  item_line_parser parser(max_line);
  collected out;
  auto sink = [&](std::string_view item, std::size_t line) {
    out.items.emplace_back(item);
    out.lines.push_back(line);
  };
  for (std::size_t i = 0; i < input.size(); i += chunk) parser.feed(input.substr(i, chunk), sink);
  parser.finish(sink);
  return out;
}

TEST(item_line_parser, skips_blanks_and_comments_and_strips_crlf_bom_and_spaces) {
  auto got = parse("\xEF\xBB\xBFJAKARTA\r\n\n   \n# a comment\n  BANDUNG  \r\n\t#also\nMEDAN");
  EXPECT_EQ(got.items, (std::vector<std::string>{"JAKARTA", "BANDUNG", "MEDAN"}));
  EXPECT_EQ(got.lines, (std::vector<std::size_t>{1, 5, 7}));
}

TEST(item_line_parser, the_result_does_not_depend_on_chunking) {
  std::string input = "\xEF\xBB\xBF" "a\r\nb\n\nc # not a comment\n";
  auto reference = parse(input, input.size());
  for (std::size_t chunk = 1; chunk < input.size(); ++chunk) EXPECT_EQ(parse(input, chunk).items, reference.items) << chunk;
  EXPECT_EQ(reference.items, (std::vector<std::string>{"a", "b", "c # not a comment"}));
}

TEST(item_line_parser, a_nul_byte_names_its_line) {
  try {
    parse(std::string("ok\nbad\0item\n", 12));
    FAIL() << "no error";
  } catch (const input_error& e) {
    EXPECT_EQ(e.line(), 2u);
    EXPECT_NE(std::string(e.what()).find("NUL"), std::string::npos);
  }
}

TEST(item_line_parser, an_overlong_line_names_its_line_without_buffering_it_all) {
  std::string input = "ok\n" + std::string(10000, 'x') + "\n";
  try {
    parse(input, 4096, 100);
    FAIL() << "no error";
  } catch (const input_error& e) {
    EXPECT_EQ(e.line(), 2u);
    EXPECT_NE(std::string(e.what()).find("longer than 100 bytes"), std::string::npos);
  }
  EXPECT_EQ(parse(std::string(100, 'y') + "\r\n", 7, 100).items.size(), 1u) << "exactly the limit is fine";
}

}  // namespace
}  // namespace serentak
