// Fuzzes the input line parser (core/item_lines): the items and the error must not depend on how
// the input is chunked, and every item is what the documentation promises: non-empty, one line,
// no NUL, no surrounding blanks, not a comment, within the line limit.
// Input: [limit byte][chunk byte] then the file's bytes.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/item_lines.hpp"
#include "fuzz_check.hpp"

namespace {

struct parsed {
  std::vector<std::string> items;
  std::vector<std::size_t> lines;
  std::optional<std::string> error;
};

parsed parse(std::string_view text, std::size_t max_line_bytes, std::size_t chunk) {
  parsed out;
  serentak::item_line_parser parser(max_line_bytes);
  auto collect = [&](std::string_view item, std::size_t line) {
    out.items.emplace_back(item);
    out.lines.push_back(line);
  };
  try {
    for (std::size_t at = 0; at < text.size(); at += chunk) parser.feed(text.substr(at, chunk), collect);
    parser.finish(collect);
  } catch (const serentak::input_error& e) {
    out.error = e.what();
    FUZZ_CHECK(e.line() >= 1);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  // Small limits reach the "too long" paths; 0 stands for the real default.
  std::size_t max_line_bytes = data[0] == 0 ? serentak::item_line_parser::default_max_line_bytes : data[0] % 80 + 1;
  std::size_t chunk = data[1] % 17 + 1;
  std::string_view text(reinterpret_cast<const char*>(data) + 2, size - 2);

  parsed whole = parse(text, max_line_bytes, text.size() + 1);
  parsed pieces = parse(text, max_line_bytes, chunk);
  FUZZ_CHECK(whole.items == pieces.items);
  FUZZ_CHECK(whole.lines == pieces.lines);
  FUZZ_CHECK(whole.error == pieces.error);

  std::size_t previous_line = 0;
  for (std::size_t i = 0; i < whole.items.size(); ++i) {
    std::string_view item = whole.items[i];
    FUZZ_CHECK(!item.empty());
    FUZZ_CHECK(item.size() <= max_line_bytes);
    FUZZ_CHECK(item.find('\n') == std::string_view::npos);
    FUZZ_CHECK(item.find('\0') == std::string_view::npos);
    FUZZ_CHECK(item.front() != ' ' && item.front() != '\t' && item.front() != '#');
    FUZZ_CHECK(item.back() != ' ' && item.back() != '\t');
    FUZZ_CHECK(whole.lines[i] > previous_line);  // line numbers only grow
    previous_line = whole.lines[i];
    FUZZ_CHECK(text.find(item) != std::string_view::npos);  // an item is a piece of its input
  }
  return 0;
}
