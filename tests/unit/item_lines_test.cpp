#include "core/item_lines.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace serentak {
namespace {

struct collected {
  std::vector<std::string> items;
  std::vector<std::size_t> lines;
};

collected parse_lines(std::string_view input, std::size_t chunk = 7, std::size_t max_line = 64) {
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
  auto got = parse_lines("\xEF\xBB\xBFJAKARTA\r\n\n   \n# a comment\n  BANDUNG  \r\n\t#also\nMEDAN");
  EXPECT_EQ(got.items, (std::vector<std::string>{"JAKARTA", "BANDUNG", "MEDAN"}));
  EXPECT_EQ(got.lines, (std::vector<std::size_t>{1, 5, 7}));
}

TEST(item_line_parser, the_result_does_not_depend_on_chunking) {
  std::string input = "\xEF\xBB\xBF" "a\r\nb\n\nc # not a comment\n";
  auto reference = parse_lines(input, input.size());
  for (std::size_t chunk = 1; chunk < input.size(); ++chunk)
    EXPECT_EQ(parse_lines(input, chunk).items, reference.items) << chunk;
  EXPECT_EQ(reference.items, (std::vector<std::string>{"a", "b", "c # not a comment"}));
}

TEST(item_line_parser, line_offset_is_where_each_items_line_starts_whatever_the_chunking) {
  std::string input = "\xEF\xBB\xBF" "a\r\n\n# c\n  bb \nccc";
  for (std::size_t chunk = 1; chunk <= input.size(); ++chunk) {
    item_line_parser parser;
    std::vector<std::uint64_t> offsets;
    auto sink = [&](std::string_view, std::size_t) { offsets.push_back(parser.line_offset()); };
    for (std::size_t i = 0; i < input.size(); i += chunk) parser.feed(std::string_view(input).substr(i, chunk), sink);
    parser.finish(sink);
    EXPECT_EQ(offsets, (std::vector<std::uint64_t>{0, 11, 17})) << chunk;
  }
}

TEST(item_line_parser, a_line_read_back_normalises_to_the_item_it_was) {
  EXPECT_EQ(item_of_stripped(strip_line_ends("\xEF\xBB\xBF  x\t\r", true)), "x");
  EXPECT_EQ(item_of_stripped(strip_line_ends("\xEF\xBB\xBFx", false)), "\xEF\xBB\xBFx");  // a BOM counts on line 1 only
  EXPECT_EQ(item_of_stripped(strip_line_ends("x\r\r", false)), "x\r");                      // one CR is the line end
  EXPECT_EQ(item_of_stripped(strip_line_ends(" # c", false)), "");
}

TEST(item_line_parser, a_nul_byte_names_its_line) {
  try {
    parse_lines(std::string("ok\nbad\0item\n", 12));
    FAIL() << "no error";
  } catch (const input_error& e) {
    EXPECT_EQ(e.line(), 2u);
    EXPECT_NE(std::string(e.what()).find("NUL"), std::string::npos);
  }
}

TEST(item_line_parser, an_overlong_line_names_its_line_without_buffering_it_all) {
  std::string input = "ok\n" + std::string(10000, 'x') + "\n";
  try {
    parse_lines(input, 4096, 100);
    FAIL() << "no error";
  } catch (const input_error& e) {
    EXPECT_EQ(e.line(), 2u);
    EXPECT_NE(std::string(e.what()).find("longer than 100 bytes"), std::string::npos);
  }
  EXPECT_EQ(parse_lines(std::string(100, 'y') + "\r\n", 7, 100).items.size(), 1u) << "exactly the limit is fine";
}

}  // namespace
}  // namespace serentak
