#pragma once
// Splits an input stream into items, one per line, without ever holding more than one line:
// a 10-million-line file costs what a 10-line one does. Skips blank lines and '#' comments,
// strips CRLF endings, a UTF-8 BOM at the very start and surrounding spaces/tabs; a line longer
// than the limit or containing a NUL byte is an error that names its line number.
// Pure: the caller reads the bytes (client/item_stream) and feeds them in. One owner at a time.

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace serentak {

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
      if (newline == std::string_view::npos) return;
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

 private:
  void append(std::string_view piece);
  std::string_view current_item();  // pending_ made into an item: "" means skip

  template <typename OnItem>
  void emit(OnItem& on_item) {
    ++line_number_;
    std::string_view item = current_item();
    if (!item.empty()) on_item(item, line_number_);
    pending_.clear();
  }

  std::size_t max_line_bytes_;
  std::size_t line_number_ = 0;  // lines completed so far (1-based numbering of the current one is +1)
  std::string pending_;          // the line being assembled, at most max_line_bytes_ + 4 (BOM, CR)
};

}  // namespace serentak
