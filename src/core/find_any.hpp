#pragma once
// find_any(text, set): std::string_view::find_first_of for a set of a few characters, without its
// cost. libstdc++'s find_first_of calls memchr over the set once per character of the text, so
// looking for "\r\n" in a 200-byte body is 200 library calls; the per-request paths (a body's
// line breaks, a URL's delimiters) spent more there than in the rest of the scan.
// Pure, header-only; thread-safe.

#include <cstddef>
#include <string_view>

namespace serentak {

// The position of the first character of text at or after from that is in set; npos if none.
constexpr std::size_t find_any(std::string_view text, std::string_view set, std::size_t from = 0) noexcept {
  for (std::size_t i = from; i < text.size(); ++i) {
    for (char c : set) {
      if (text[i] == c) return i;
    }
  }
  return std::string_view::npos;
}

// The position of the last character of text that is in set; npos if none.
constexpr std::size_t find_last_any(std::string_view text, std::string_view set) noexcept {
  for (std::size_t i = text.size(); i > 0; --i) {
    for (char c : set) {
      if (text[i - 1] == c) return i - 1;
    }
  }
  return std::string_view::npos;
}

}  // namespace serentak
