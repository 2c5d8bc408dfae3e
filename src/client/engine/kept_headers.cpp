#include "client/engine/kept_headers.hpp"

#include <algorithm>

#include "core/ascii.hpp"

namespace serentak::client {
bool is_kept_header(std::string_view name, const std::vector<std::string>& kept) noexcept {
  return std::any_of(kept.begin(), kept.end(), [&](const std::string& k) {
    return k.size() == name.size() &&
           std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) { return a == ascii_lower(b); });
  });
}

void keep_header_line(std::string_view line, const std::vector<std::string>& kept,
                      std::vector<std::pair<std::string, std::string>>& out) {
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return;
  const std::string_view name = line.substr(0, colon);
  if (!is_kept_header(name, kept)) return;
  out.emplace_back(ascii_lower(name), std::string(trim_header_value(line.substr(colon + 1))));
}

}  // namespace serentak::client
