#pragma once
// Reading a few members of a JSON object without building a document: what --resume and `job
// collect --resume` ask of each of a million records, whose bodies they never look into. The text
// must already have passed is_valid_json (core/json_validate), which checks what nlohmann's parser
// checks; these functions then give the answers nlohmann's document would give (tested against it):
// a name written with escapes is the name it decodes to, a name given twice is its last value, and a
// number is unsigned, signed or floating as nlohmann's lexer would type it.
// Pure functions; thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace serentak {

// Calls on_member(name, value) for each member of the top-level object of valid_json, in order:
// name decoded, value the member's raw JSON text (a string with its quotes). False when the
// top-level value is not an object. valid_json must be valid JSON (is_valid_json).
template <typename OnMember>
bool for_each_json_member(std::string_view valid_json, OnMember&& on_member);

// The UTF-8 text of a valid JSON string literal, quotes included in literal.
std::string decode_json_string(std::string_view literal);

// A valid JSON number's text read as nlohmann's lexer types it: unsigned when it has no sign,
// fraction or exponent and fits 64 bits; signed when it has a '-' and otherwise fits; floating
// for anything else (or nullopt from the integer readers).
std::optional<std::uint64_t> json_unsigned(std::string_view number) noexcept;
// Unsigned or signed, as nlohmann's is_number_integer; the value as int64 (an unsigned one above
// INT64_MAX wraps, as nlohmann's get<long> does).
std::optional<std::int64_t> json_integer(std::string_view number) noexcept;
// Any number, as a double (correctly rounded, as nlohmann's strtod and integer casts give).
std::optional<double> json_double(std::string_view number) noexcept;

namespace json_members_detail {
// The end of the value that starts at text[at] (valid JSON assumed): one past its last character.
std::size_t value_end(std::string_view text, std::size_t at) noexcept;
std::size_t skip_whitespace(std::string_view text, std::size_t at) noexcept;
}  // namespace json_members_detail

template <typename OnMember>
bool for_each_json_member(std::string_view valid_json, OnMember&& on_member) {
  using namespace json_members_detail;
  std::size_t at = 0;
  // nlohmann skips a UTF-8 byte order mark before the value.
  if (valid_json.substr(0, 3) == "\xEF\xBB\xBF") at = 3;
  at = skip_whitespace(valid_json, at);
  if (at >= valid_json.size() || valid_json[at] != '{') return false;
  at = skip_whitespace(valid_json, at + 1);
  if (valid_json[at] == '}') return true;
  for (;;) {
    const std::size_t name_end = value_end(valid_json, at);
    const std::string_view name = valid_json.substr(at, name_end - at);
    at = skip_whitespace(valid_json, name_end) + 1;  // past ':'
    at = skip_whitespace(valid_json, at);
    const std::size_t end = value_end(valid_json, at);
    const std::string_view value = valid_json.substr(at, end - at);
    if (name.find('\\') == std::string_view::npos) {
      on_member(name.substr(1, name.size() - 2), value);
    } else {
      const std::string decoded = decode_json_string(name);
      on_member(std::string_view(decoded), value);
    }
    at = skip_whitespace(valid_json, end);
    if (valid_json[at] == '}') return true;
    at = skip_whitespace(valid_json, at + 1);  // past ','
  }
}

}  // namespace serentak
