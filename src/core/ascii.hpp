#pragma once
// ASCII case folding, hex digits and header-value trimming for protocol text (schemes, hosts, header
// names and values, percent-escapes), which is ASCII by definition: unlike std::tolower and isspace
// these do not follow the C locale. Pure; thread-safe.

#include <string>
#include <string_view>

namespace serentak {

constexpr char ascii_lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

inline std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

// Whether a and b are the same but for ASCII letter case (header names, schemes).
constexpr bool ascii_iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

// 0-15 for a hex digit of either case, -1 for anything else.
constexpr int hex_digit_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A header field's value without the optional whitespace around it (RFC 9110 OWS: spaces and tabs)
// nor a line ending's CR a caller left on; nothing else is trimmed.
constexpr std::string_view trim_header_value(std::string_view value) noexcept {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\r'))
    value.remove_suffix(1);
  return value;
}

}  // namespace serentak
