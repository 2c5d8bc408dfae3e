#include "web/badge_svg.hpp"

#include <fmt/format.h>

#include "core/log_text.hpp"

namespace serentak::web {
namespace {

std::string_view colour_of(monitor::health state) {
  switch (state) {
    case monitor::health::up:
      return "#4c1";
    case monitor::health::degraded:
      return "#dfb317";
    case monitor::health::down:
      return "#e05d44";
    case monitor::health::unknown:
      break;
  }
  return "#9f9f9f";
}

// Verdana 11px averages about 7 px a character: wide enough for most names without a font.
int text_width(std::string_view text) {
  std::size_t chars = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++chars;  // count code points, not UTF-8 continuation bytes
  }
  return static_cast<int>(chars) * 7 + 10;
}

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') break;  // not allowed in XML
        out += c;
    }
  }
  return out;
}

std::string badge_svg(std::string_view name, monitor::health state, const std::optional<double>& uptime_24h) {
  // A long name is cut (whole code points) so the badge stays a badge.
  const std::string_view shown = utf8_prefix(name, 64);
  const std::string label = xml_escape(shown) + (shown.size() < name.size() ? "\u2026" : "");
  std::string value(monitor::to_string(state));
  if (uptime_24h) value += fmt::format(" {:.2f}%", *uptime_24h * 100.0);
  const int left = text_width(shown) + (shown.size() < name.size() ? 7 : 0);
  const int right = text_width(value);
  return fmt::format(
      R"(<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="20" role="img" aria-label="{3}: {4}">)"
      R"(<title>{3}: {4}</title>)"
      R"(<rect width="{1}" height="20" fill="#555"/><rect x="{1}" width="{2}" height="20" fill="{5}"/>)"
      R"(<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">)"
      R"(<text x="{6}" y="14">{3}</text><text x="{7}" y="14">{4}</text></g></svg>)",
      left + right, left, right, label, xml_escape(value), colour_of(state), left / 2, left + right / 2);
}

}  // namespace serentak::web
