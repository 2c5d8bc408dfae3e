#pragma once
// ASCII case folding and hex digits for protocol text (schemes, hosts, header names, percent-escapes),
// which is ASCII by definition: unlike std::tolower these do not follow the C locale. Pure; thread-safe.

#include <string>
#include <string_view>

namespace serentak {

constexpr char ascii_lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

inline std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

// 0-15 for a hex digit of either case, -1 for anything else.
constexpr int hex_digit_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace serentak
