#include "core/log_text.hpp"

#include <cstdint>

namespace serentak {
namespace {

constexpr char hex_digits[] = "0123456789ABCDEF";

void append_hex_byte(std::string& out, unsigned char c) {
  out += "\\x";
  out.push_back(hex_digits[c >> 4]);
  out.push_back(hex_digits[c & 0x0F]);
}

std::uint32_t decode(std::string_view seq) {
  auto b = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(seq[i])); };
  switch (seq.size()) {
    case 1: return b(0);
    case 2: return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
    case 3: return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
    default: return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
  }
}

// Code points that are valid UTF-8 but can still disguise or reorder a log line.
bool is_dangerous_code_point(std::uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

}  // namespace

std::size_t utf8_sequence_length(std::string_view text) noexcept {
  if (text.empty()) return 0;
  auto c0 = static_cast<unsigned char>(text[0]);
  std::size_t len = 0;
  std::uint32_t min_cp = 0;
  if (c0 < 0x80) return 1;
  if ((c0 & 0xE0) == 0xC0) {
    len = 2;
    min_cp = 0x80;
  } else if ((c0 & 0xF0) == 0xE0) {
    len = 3;
    min_cp = 0x800;
  } else if ((c0 & 0xF8) == 0xF0) {
    len = 4;
    min_cp = 0x10000;
  } else {
    return 0;
  }
  if (text.size() < len) return 0;
  for (std::size_t i = 1; i < len; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) return 0;
  }
  std::uint32_t cp = decode(text.substr(0, len));
  if (cp < min_cp || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

void append_escaped_for_log(std::string& out, std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    // Most text is printable ASCII: copy such a run in one append.
    std::size_t run = i;
    while (run < text.size()) {
      auto c = static_cast<unsigned char>(text[run]);
      if (c < 0x20 || c >= 0x7F || c == '\\') break;
      ++run;
    }
    out.append(text.substr(i, run - i));
    i = run;
    if (i == text.size()) break;
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\\': out += "\\\\"; break;
        default: append_hex_byte(out, c);  // the other C0 controls and DEL
      }
      ++i;
      continue;
    }
    std::size_t len = utf8_sequence_length(text.substr(i));
    if (len == 0) {
      append_hex_byte(out, c);
      ++i;
      continue;
    }
    std::uint32_t cp = decode(text.substr(i, len));
    if (is_dangerous_code_point(cp)) {
      out += "\\u{";
      for (int shift = 12; shift >= 0; shift -= 4) out.push_back(hex_digits[(cp >> shift) & 0xF]);
      out += "}";
    } else {
      out.append(text.substr(i, len));
    }
    i += len;
  }
}

std::string escape_for_log(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  append_escaped_for_log(out, text);
  return out;
}

std::string_view utf8_prefix(std::string_view text, std::size_t max_chars) noexcept {
  std::size_t pos = 0;
  for (std::size_t n = 0; n < max_chars && pos < text.size(); ++n) {
    std::size_t len = utf8_sequence_length(text.substr(pos));
    pos += len == 0 ? 1 : len;
  }
  return text.substr(0, pos);
}

}  // namespace serentak
