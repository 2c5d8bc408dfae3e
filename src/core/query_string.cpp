#include "core/query_string.hpp"

#include "core/ascii.hpp"
#include "core/utf8.hpp"

namespace serentak {
request_target split_target(std::string_view target) {
  if (auto hash = target.find('#'); hash != std::string_view::npos) target = target.substr(0, hash);
  // Absolute form: drop "scheme://authority", keep the path (urlsplit does the same).
  if (auto scheme = target.find("://"); scheme != std::string_view::npos && target.front() != '/') {
    auto slash = target.find_first_of("/?", scheme + 3);
    target = slash == std::string_view::npos ? std::string_view{} : target.substr(slash);
  }
  request_target out;
  auto question = target.find('?');
  std::string_view path = target.substr(0, question);
  if (question != std::string_view::npos) out.query = target.substr(question + 1);
  out.path = url_unquote(path, false);
  return out;
}

std::string url_unquote(std::string_view text, bool plus_as_space) {
  std::string bytes;
  bytes.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      int hi = hex_digit_value(text[i + 1]);
      int lo = hex_digit_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        bytes.push_back(static_cast<char>((hi << 4) | lo));
        i += 2;
        continue;
      }
    }
    bytes.push_back(c == '+' && plus_as_space ? ' ' : c);
  }
  return decode_utf8_replace(bytes);
}

std::optional<std::string> query_get(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    auto equals = pair.find('=');
    std::string_view key = pair.substr(0, equals);
    std::string_view value = equals == std::string_view::npos ? std::string_view{} : pair.substr(equals + 1);
    if (url_unquote(key, true) == name) return url_unquote(value, true);
  }
  return std::nullopt;
}

}  // namespace serentak
