#pragma once
// UTF-8 helpers for the server's Python-compatible text handling: decoding request bytes the way
// Werkzeug does (bytes.decode("utf-8", "replace")), and walking code points for JSON and repr.
// Pure functions, no I/O; thread-safe.

#include <cstddef>
#include <string>
#include <string_view>

namespace serentak {

inline constexpr char32_t replacement_character = 0xFFFD;

struct code_point {
  char32_t value = 0;
  std::size_t length = 0;  // bytes consumed, at least 1
  bool valid = true;       // false: an invalid subpart, value is U+FFFD
};

// The code point starting at text[0] (text must not be empty). An invalid sequence yields
// U+FFFD with the length of its maximal valid prefix, as Python's decoder counts it.
code_point next_code_point(std::string_view text) noexcept;

void append_utf8(std::string& out, char32_t cp);

// Python's bytes.decode("utf-8", errors="replace"), re-encoded as UTF-8: every maximal invalid
// subpart becomes one U+FFFD ("\xE2\x82x" -> "\uFFFDx", "\xC0\xAF" -> "\uFFFD\uFFFD").
std::string decode_utf8_replace(std::string_view bytes);

}  // namespace serentak
