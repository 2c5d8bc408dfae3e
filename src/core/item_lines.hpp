#pragma once
// Splits an input stream into items, one per line, without ever holding more than one line:
// a 10-million-line file costs what a 10-line one does. Skips blank lines and '#' comments,
// strips CRLF endings, a UTF-8 BOM at the very start and surrounding spaces/tabs; a line longer
// than the limit or containing a NUL byte is an error that names its line number.
// Pure: the caller reads the bytes (client/item_stream) and feeds them in. One owner at a time.

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace serentak {

// A line without a first line's UTF-8 BOM and one trailing CR: what the length limit counts.
std::string_view strip_line_ends(std::string_view line, bool first_line) noexcept;
// The item a stripped line holds: spaces and tabs around it removed; "" for a blank line or a
// comment. With strip_line_ends, the one normalisation: item_set reads a line back through both.
std::string_view item_of_stripped(std::string_view stripped) noexcept;

class input_error : public std::runtime_error {
 public:
  input_error(std::size_t line, const std::string& what)
      : std::runtime_error("line " + std::to_string(line) + ": " + what), line_(line) {}
  std::size_t line() const noexcept { return line_; }

 private:
  std::size_t line_;
};

class item_line_parser {
 public:
  static constexpr std::size_t default_max_line_bytes = 64 * 1024;
  explicit item_line_parser(std::size_t max_line_bytes = default_max_line_bytes) : max_line_bytes_(max_line_bytes) {}

  // Calls on_item(std::string_view item, std::size_t line_number) for every complete item in
  // chunk; the view is valid only during the call. Throws input_error on a bad line.
  template <typename OnItem>
  void feed(std::string_view chunk, OnItem&& on_item) {
    while (!chunk.empty()) {
      auto newline = chunk.find('\n');
      std::string_view piece = chunk.substr(0, newline);
      append(piece);
      if (newline == std::string_view::npos) {
        fed_ += chunk.size();
        return;
      }
      fed_ += newline + 1;
      chunk.remove_prefix(newline + 1);
      emit(on_item);
    }
  }

  // The last line, when the input does not end with a newline.
  template <typename OnItem>
  void finish(OnItem&& on_item) {
    if (!pending_.empty()) emit(on_item);
  }

  std::size_t lines_seen() const noexcept { return line_number_; }

  // During on_item: the byte offset, counted from the first byte fed, where the item's line starts
  // (so --dedupe can keep an item's place rather than its text, and read it back).
  std::uint64_t line_offset() const noexcept { return line_start_; }

 private:
  void append(std::string_view piece);
  std::string_view current_item();  // pending_ made into an item: "" means skip

  template <typename OnItem>
  void emit(OnItem& on_item) {
    ++line_number_;
    std::string_view item = current_item();
    if (!item.empty()) on_item(item, line_number_);
    pending_.clear();
    line_start_ = fed_;
  }

  std::size_t max_line_bytes_;
  std::size_t line_number_ = 0;  // lines completed so far (1-based numbering of the current one is +1)
  std::string pending_;          // the line being assembled, at most max_line_bytes_ + 4 (BOM, CR)
  std::uint64_t fed_ = 0;         // bytes consumed so far, newlines included
  std::uint64_t line_start_ = 0;  // offset of the line being assembled
};

}  // namespace serentak
