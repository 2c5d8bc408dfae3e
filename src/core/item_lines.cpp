#include "core/item_lines.hpp"

namespace serentak {
namespace {

constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

std::string too_long(std::size_t max_line_bytes) {
  return "longer than " + std::to_string(max_line_bytes) + " bytes";
}

}  // namespace

std::string_view strip_line_ends(std::string_view line, bool first_line) noexcept {
  if (first_line && line.starts_with(utf8_bom)) line.remove_prefix(utf8_bom.size());
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

std::string_view item_of_stripped(std::string_view line) noexcept {
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  if (line.starts_with('#')) return {};
  return line;
}

void item_line_parser::append(std::string_view piece) {
  pending_.append(piece);
  // Slack for a BOM and a CR, which are not part of the item; checked exactly in current_item().
  if (pending_.size() > max_line_bytes_ + utf8_bom.size() + 1) throw input_error(line_number_ + 1, too_long(max_line_bytes_));
}

std::string_view item_line_parser::current_item() {
  std::string_view line = strip_line_ends(pending_, line_number_ == 1);
  if (line.size() > max_line_bytes_) throw input_error(line_number_, too_long(max_line_bytes_));
  if (line.find('\0') != std::string_view::npos) throw input_error(line_number_, "contains a NUL byte");
  return item_of_stripped(line);
}

}  // namespace serentak
