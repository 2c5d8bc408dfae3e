#include "core/host_key.hpp"

#include <algorithm>

#include "core/ascii.hpp"

namespace serentak {
std::string host_key(std::string_view url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return {};
  std::string_view scheme = url.substr(0, scheme_end);
  std::string_view rest = url.substr(scheme_end + 3);
  std::string_view authority = rest.substr(0, std::min(rest.find_first_of("/?#"), rest.size()));
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  // The port follows the last ':' outside an IPv6 literal's brackets.
  std::string_view host = authority;
  std::string_view port;
  const std::size_t bracket = authority.rfind(']');
  const std::size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return {};
  std::string key;
  key.reserve(scheme.size() + host.size() + 10);
  for (char c : scheme) key += ascii_lower(c);
  key += "://";
  for (char c : host) key += ascii_lower(c);
  key += ':';
  if (!port.empty()) {
    key += port;
  } else {
    key += (key.starts_with("https:") ? "443" : "80");
  }
  return key;
}

}  // namespace serentak
