#pragma once
// Makes untrusted text (items, server bodies, error strings) safe to put inside one log line:
// nothing it contains can end the line, forge another line, move the cursor or reorder text.
// Pure functions, no I/O.

#include <cstddef>
#include <string>
#include <string_view>

namespace serentak {

// Escapes C0 controls and DEL as \r \n \t or \xHH, a backslash as "\\", bytes that are not
// valid UTF-8 as \xHH, C1 controls and the Unicode bidi overrides and isolates
// (U+202A..U+202E, U+2066..U+2069) and line/paragraph separators (U+2028, U+2029) as \u{XXXX}.
// Valid printable UTF-8 (e.g. "°C", "Bahasa") passes through unchanged.
std::string escape_for_log(std::string_view text);
// The same, appended to out (no temporary string).
void append_escaped_for_log(std::string& out, std::string_view text);

// The first max_chars Unicode code points of text (like Python's text[:100]); an invalid byte
// counts as one character, so the cut never splits a valid UTF-8 sequence.
std::string_view utf8_prefix(std::string_view text, std::size_t max_chars) noexcept;

// Length of the valid UTF-8 sequence starting at text[0], or 0 when it is not valid
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
std::size_t utf8_sequence_length(std::string_view text) noexcept;

}  // namespace serentak
