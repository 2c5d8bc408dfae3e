#include "server/routes/flask_json.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "core/utf8.hpp"

namespace serentak::server {
namespace {

using nlohmann::ordered_json;

constexpr char lower_hex[] = "0123456789abcdef";

void append_hex(std::string& out, std::uint32_t value, int digits) {
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out.push_back(lower_hex[(value >> shift) & 0xF]);
}

// json.encoder.py_encode_basestring_ascii (and its C twin): everything outside ' '..'~' escaped.
void append_json_string(std::string& out, std::string_view text) {
  out.push_back('"');
  while (!text.empty()) {
    code_point cp = next_code_point(text);
    text.remove_prefix(cp.length);
    char32_t c = cp.value;
    switch (c) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      case '\b':
        out += "\\b";
        continue;
      case '\f':
        out += "\\f";
        continue;
      default:
        break;
    }
    if (c >= 0x20 && c <= 0x7E) {
      out.push_back(static_cast<char>(c));
    } else if (c < 0x10000) {
      out += "\\u";
      append_hex(out, c, 4);
    } else {
      char32_t v = c - 0x10000;
      out += "\\u";
      append_hex(out, 0xD800 | (v >> 10), 4);
      out += "\\u";
      append_hex(out, 0xDC00 | (v & 0x3FF), 4);
    }
  }
  out.push_back('"');
}

void dump(std::string& out, const ordered_json& value) {
  switch (value.type()) {
    case ordered_json::value_t::object: {
      std::vector<const std::pair<const std::string, ordered_json>*> members;
      members.reserve(value.size());
      for (const auto& member : value.get_ref<const ordered_json::object_t&>()) members.push_back(&member);
      // UTF-8 byte order is code point order, which is how Python sorts str keys.
      std::sort(members.begin(), members.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
      out.push_back('{');
      for (std::size_t i = 0; i < members.size(); ++i) {
        if (i > 0) out.push_back(',');
        append_json_string(out, members[i]->first);
        out.push_back(':');
        dump(out, members[i]->second);
      }
      out.push_back('}');
      return;
    }
    case ordered_json::value_t::array:
      out.push_back('[');
      for (std::size_t i = 0; i < value.size(); ++i) {
        if (i > 0) out.push_back(',');
        dump(out, value[i]);
      }
      out.push_back(']');
      return;
    case ordered_json::value_t::string:
      append_json_string(out, value.get_ref<const std::string&>());
      return;
    case ordered_json::value_t::boolean:
      out += value.get<bool>() ? "true" : "false";
      return;
    case ordered_json::value_t::number_integer:
      out += std::to_string(value.get<std::int64_t>());
      return;
    case ordered_json::value_t::number_unsigned:
      out += std::to_string(value.get<std::uint64_t>());
      return;
    case ordered_json::value_t::number_float: {
      double d = value.get<double>();
      if (std::isnan(d))
        out += "NaN";  // json.dumps(allow_nan=True)
      else if (std::isinf(d))
        out += d > 0 ? "Infinity" : "-Infinity";
      else
        out += python_float_repr(d);
      return;
    }
    default:
      out += "null";
      return;  // null, discarded, binary
  }
}

// An approximation of Python's str.isprintable() for one non-ASCII code point: false for the
// categories Cc, Zs, Zl, Zp, the common Cf characters, surrogates, private use and noncharacters.
bool python_printable(char32_t c) {
  if (c <= 0xA0) return false;  // C1 controls and U+00A0 NO-BREAK SPACE (Zs)
  if (c == 0xAD || c == 0x061C || c == 0x06DD || c == 0x070F || c == 0x08E2 || c == 0x180E || c == 0x1680 ||
      c == 0xFEFF || c == 0x3000 || c == 0x202F || c == 0x205F)
    return false;
  if ((c >= 0x0600 && c <= 0x0605) || (c >= 0x2000 && c <= 0x200F) || (c >= 0x2028 && c <= 0x202E) ||
      (c >= 0x2060 && c <= 0x206F) || (c >= 0xFFF9 && c <= 0xFFFB) || (c >= 0xD800 && c <= 0xF8FF) ||
      (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE || (c >= 0xE0000 && c <= 0xE007F) || c >= 0xF0000)
    return false;
  return true;
}

void append_repr_string(std::string& out, std::string_view text) {
  bool has_single = text.find('\'') != std::string_view::npos;
  bool has_double = text.find('"') != std::string_view::npos;
  char quote = has_single && !has_double ? '"' : '\'';
  out.push_back(quote);
  while (!text.empty()) {
    code_point cp = next_code_point(text);
    std::string_view bytes = text.substr(0, cp.length);
    text.remove_prefix(cp.length);
    char32_t c = cp.value;
    if (c == static_cast<char32_t>(quote) || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7F) {
      out += "\\x";
      append_hex(out, c, 2);
    } else if (c < 0x7F) {
      out.push_back(static_cast<char>(c));
    } else if (cp.valid && python_printable(c)) {
      out.append(bytes);
    } else if (c <= 0xFF) {
      out += "\\x";
      append_hex(out, c, 2);
    } else if (c <= 0xFFFF) {
      out += "\\u";
      append_hex(out, c, 4);
    } else {
      out += "\\U";
      append_hex(out, c, 8);
    }
  }
  out.push_back(quote);
}

void repr(std::string& out, const ordered_json& value) {
  switch (value.type()) {
    case ordered_json::value_t::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& [key, member] : value.items()) {
        if (!first) out += ", ";
        first = false;
        append_repr_string(out, key);
        out += ": ";
        repr(out, member);
      }
      out.push_back('}');
      return;
    }
    case ordered_json::value_t::array:
      out.push_back('[');
      for (std::size_t i = 0; i < value.size(); ++i) {
        if (i > 0) out += ", ";
        repr(out, value[i]);
      }
      out.push_back(']');
      return;
    case ordered_json::value_t::string:
      append_repr_string(out, value.get_ref<const std::string&>());
      return;
    case ordered_json::value_t::boolean:
      out += value.get<bool>() ? "True" : "False";
      return;
    case ordered_json::value_t::number_integer:
      out += std::to_string(value.get<std::int64_t>());
      return;
    case ordered_json::value_t::number_unsigned:
      out += std::to_string(value.get<std::uint64_t>());
      return;
    case ordered_json::value_t::number_float:
      out += python_float_repr(value.get<double>());
      return;
    default:
      out += "None";
      return;
  }
}

}  // namespace

std::string python_float_repr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  // Shortest round-trip digits in scientific form ("-1.2345e+17"), reformatted as Python's
  // float_repr_style 'short' does: fixed notation when -4 < decpt <= 16, otherwise exponent.
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  std::string_view sci(buffer, static_cast<std::size_t>(result.ptr - buffer));
  std::string out;
  if (sci.front() == '-') {
    out.push_back('-');
    sci.remove_prefix(1);
  }
  auto e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits.push_back(c);
  }
  int exponent = std::atoi(std::string(sci.substr(e + 1)).c_str());
  int decpt = exponent + 1;  // position of the decimal point relative to the digits
  auto ndigits = static_cast<int>(digits.size());
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) {
      out += "0.";
      out.append(static_cast<std::size_t>(-decpt), '0');
      out += digits;
    } else if (decpt >= ndigits) {
      out += digits;
      out.append(static_cast<std::size_t>(decpt - ndigits), '0');
      out += ".0";
    } else {
      out += digits.substr(0, static_cast<std::size_t>(decpt));
      out.push_back('.');
      out += digits.substr(static_cast<std::size_t>(decpt));
    }
    return out;
  }
  out.push_back(digits[0]);
  if (ndigits > 1) {
    out.push_back('.');
    out += digits.substr(1);
  }
  out.push_back('e');
  out.push_back(exponent < 0 ? '-' : '+');
  int magnitude = std::abs(exponent);
  if (magnitude < 10) out.push_back('0');
  out += std::to_string(magnitude);
  return out;
}

std::string flask_dumps(const nlohmann::ordered_json& value) {
  std::string out;
  dump(out, value);
  return out;
}

std::string jsonify_body(const nlohmann::ordered_json& value) {
  std::string out = flask_dumps(value);
  out.push_back('\n');
  return out;
}

std::string python_repr(const nlohmann::ordered_json& value) {
  std::string out;
  repr(out, value);
  return out;
}

}  // namespace serentak::server
