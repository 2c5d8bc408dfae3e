#include "core/utf8.hpp"

#include <cstdint>

namespace serentak {
namespace {

bool in(unsigned char c, unsigned char lo, unsigned char hi) { return c >= lo && c <= hi; }

// The valid range of the second byte after lead byte c (RFC 3629, Unicode table 3-7).
void second_byte_range(unsigned char lead, unsigned char& lo, unsigned char& hi) {
  lo = 0x80;
  hi = 0xBF;
  if (lead == 0xE0) {
    lo = 0xA0;  // no overlong 3-byte forms
  } else if (lead == 0xED) {
    hi = 0x9F;  // no surrogates
  } else if (lead == 0xF0) {
    lo = 0x90;  // no overlong 4-byte forms
  } else if (lead == 0xF4) {
    hi = 0x8F;  // nothing above U+10FFFF
  }
}

}  // namespace

code_point next_code_point(std::string_view text) noexcept {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(0);
  if (lead < 0x80) return {lead, 1, true};
  std::size_t need = 0;
  char32_t value = 0;
  if (in(lead, 0xC2, 0xDF)) {
    need = 1;
    value = lead & 0x1Fu;
  } else if (in(lead, 0xE0, 0xEF)) {
    need = 2;
    value = lead & 0x0Fu;
  } else if (in(lead, 0xF0, 0xF4)) {
    need = 3;
    value = lead & 0x07u;
  } else {
    return {replacement_character, 1, false};  // 0x80..0xC1, 0xF5..0xFF never start a sequence
  }
  unsigned char lo = 0;
  unsigned char hi = 0;
  second_byte_range(lead, lo, hi);
  std::size_t i = 1;
  for (; i <= need; ++i) {
    if (i >= text.size() || !in(byte(i), lo, hi)) return {replacement_character, i, false};
    value = (value << 6) | (byte(i) & 0x3Fu);
    lo = 0x80;
    hi = 0xBF;
  }
  return {value, i, true};
}

void append_utf8(std::string& out, char32_t cp) {
  auto put = [&](std::uint32_t b) { out.push_back(static_cast<char>(b)); };
  if (cp < 0x80) {
    put(cp);
  } else if (cp < 0x800) {
    put(0xC0 | (cp >> 6));
    put(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    put(0xE0 | (cp >> 12));
    put(0x80 | ((cp >> 6) & 0x3F));
    put(0x80 | (cp & 0x3F));
  } else {
    put(0xF0 | (cp >> 18));
    put(0x80 | ((cp >> 12) & 0x3F));
    put(0x80 | ((cp >> 6) & 0x3F));
    put(0x80 | (cp & 0x3F));
  }
}

std::string decode_utf8_replace(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  while (!bytes.empty()) {
    code_point cp = next_code_point(bytes);
    if (!cp.valid) {
      append_utf8(out, replacement_character);
    } else {
      out.append(bytes.substr(0, cp.length));
    }
    bytes.remove_prefix(cp.length);
  }
  return out;
}

}  // namespace serentak
