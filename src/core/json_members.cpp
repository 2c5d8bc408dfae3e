#include "core/json_members.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "core/ascii.hpp"
#include "core/utf8.hpp"

namespace serentak {
namespace json_members_detail {

std::size_t skip_whitespace(std::string_view text, std::size_t at) noexcept {
  while (at < text.size() && (text[at] == ' ' || text[at] == '\n' || text[at] == '\r' || text[at] == '\t')) ++at;
  return at;
}

namespace {

// One past the closing quote of the string whose opening quote is text[at].
std::size_t string_end(std::string_view text, std::size_t at) noexcept {
  for (++at; at < text.size(); ++at) {
    if (text[at] == '\\') {
      ++at;  // the escaped character ("\u" is followed by hex digits, no quote)
    } else if (text[at] == '"') {
      return at + 1;
    }
  }
  return text.size();
}

}  // namespace

std::size_t value_end(std::string_view text, std::size_t at) noexcept {
  if (at >= text.size()) return text.size();
  const char first = text[at];
  if (first == '"') return string_end(text, at);
  if (first == '{' || first == '[') {
    std::size_t depth = 0;  // valid JSON: brackets balance outside strings, whatever their kinds
    while (at < text.size()) {
      const char c = text[at];
      if (c == '"') {
        at = string_end(text, at);
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') {
        if (--depth == 0) return at + 1;
      }
      ++at;
    }
    return text.size();
  }
  // A number or a literal: up to the next delimiter.
  while (at < text.size()) {
    const char c = text[at];
    if (c == ',' || c == '}' || c == ']' || c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\0') break;
    ++at;
  }
  return at;
}

}  // namespace json_members_detail

namespace {

unsigned hex4(std::string_view text, std::size_t at) noexcept {
  unsigned code = 0;
  for (std::size_t k = 0; k < 4; ++k) code = code * 16 + static_cast<unsigned>(hex_digit_value(text[at + k]));
  return code;
}

bool has_fraction_or_exponent(std::string_view number) noexcept {
  return number.find_first_of(".eE") != std::string_view::npos;
}

}  // namespace

std::string decode_json_string(std::string_view literal) {
  std::string out;
  if (literal.size() < 2) return out;
  const std::string_view body = literal.substr(1, literal.size() - 2);
  out.reserve(body.size());
  for (std::size_t i = 0; i < body.size(); ++i) {
    // The text up to the next escape, at once.
    const std::size_t escape = std::min(body.find('\\', i), body.size());
    out.append(body.substr(i, escape - i));
    i = escape;
    if (i == body.size()) break;
    const char e = body[++i];
    switch (e) {
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        char32_t code = hex4(body, i + 1);
        i += 4;
        // A high surrogate is followed by "\u" and its low one (the validator saw to that).
        if (code >= 0xD800 && code <= 0xDBFF && i + 6 < body.size() && body.substr(i + 1, 2) == "\\u") {
          const char32_t low = hex4(body, i + 3);
          code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
          i += 6;
        }
        append_utf8(out, code);
        break;
      }
      default:
        out += e;
        break;  // '"', '\\', '/'
    }
  }
  return out;
}

std::optional<std::uint64_t> json_unsigned(std::string_view number) noexcept {
  if (number.empty() || number[0] == '-' || has_fraction_or_exponent(number)) return std::nullopt;
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (error != std::errc() || end != number.data() + number.size()) return std::nullopt;  // too big: a float
  return value;
}

std::optional<std::int64_t> json_integer(std::string_view number) noexcept {
  if (std::optional<std::uint64_t> u = json_unsigned(number)) return static_cast<std::int64_t>(*u);
  if (number.empty() || number[0] != '-' || has_fraction_or_exponent(number)) return std::nullopt;
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (error != std::errc() || end != number.data() + number.size()) return std::nullopt;
  return value;
}

std::optional<double> json_double(std::string_view number) noexcept {
  if (number.empty() || !(number[0] == '-' || (number[0] >= '0' && number[0] <= '9'))) return std::nullopt;
  double value = 0;
  const auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), value);
  // from_chars refuses what underflows (1e-400); strtod, as nlohmann, gives 0 or a denormal.
  if (error == std::errc::result_out_of_range) return std::strtod(std::string(number).c_str(), nullptr);
  if (error != std::errc() || end != number.data() + number.size()) return std::nullopt;
  return value;
}

}  // namespace serentak
