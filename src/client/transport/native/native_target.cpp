#include "client/transport/native/native_target.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

#include "core/ascii.hpp"
#include "core/find_any.hpp"

namespace serentak::client {
namespace {

native_target_parse parse_failure(native_target_parse::verdict kind, std::string why) {
  native_target_parse result;
  result.kind = kind;
  result.why = std::move(why);
  return result;
}

// Bytes curl sends as they are in a path or query. Anything else (controls, spaces, 8-bit,
// backslashes, quotes...) curl may re-encode or refuse: left to curl.
bool plain_target_byte(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  if (u <= 0x20 || u >= 0x7f) return false;
  return c != '\\' && c != '"' && c != '<' && c != '>' && c != '^' && c != '`' && c != '{' && c != '|' &&
         c != '}';
}

// "/./", "/../" and a trailing "/." or "/..": curl removes dot segments before sending.
bool has_dot_segment(std::string_view path) noexcept {
  const std::string_view before_query = path.substr(0, path.find('?'));
  for (std::size_t at = 0; at < before_query.size(); ++at) {
    if (before_query[at] != '/') continue;
    const std::string_view rest = before_query.substr(at + 1);
    const std::string_view segment = rest.substr(0, rest.find('/'));
    if (segment == "." || segment == "..") return true;
  }
  return false;
}

std::optional<unsigned> parse_port(std::string_view digits) noexcept {
  if (digits.empty() || digits.size() > 5) return std::nullopt;
  unsigned port = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    port = port * 10 + static_cast<unsigned>(c - '0');
  }
  if (port == 0 || port > 65535) return std::nullopt;
  return port;
}

}  // namespace

native_target_parse parse_native_target(std::string_view url) {
  using verdict = native_target_parse::verdict;
  const std::size_t colon = url.find("://");
  if (colon == std::string_view::npos || colon == 0) return parse_failure(verdict::malformed, "no scheme");
  std::string scheme;
  for (char c : url.substr(0, colon)) scheme.push_back(ascii_lower(c));
  if (scheme != "http") {
    native_target_parse result;
    result.kind = verdict::other_scheme;
    result.scheme = std::move(scheme);
    return result;
  }
  std::string_view rest = url.substr(colon + 3);
  const std::size_t authority_end = find_any(rest, "/?#");
  const std::string_view authority = rest.substr(0, authority_end);
  std::string_view path = authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
  path = path.substr(0, path.find('#'));

  if (authority.find('@') != std::string_view::npos) return parse_failure(verdict::needs_curl, "user information");
  std::string_view host;
  std::string_view port_text;
  bool ipv6 = false;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return parse_failure(verdict::malformed, "unclosed [ in host");
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return parse_failure(verdict::malformed, "bad port");
      port_text = after.substr(1);
    }
    ipv6 = true;
  } else {
    const std::size_t port_colon = authority.find(':');
    host = authority.substr(0, port_colon);
    if (port_colon != std::string_view::npos) port_text = authority.substr(port_colon + 1);
  }
  if (host.empty()) return parse_failure(verdict::malformed, "no host");

  unsigned port = 80;
  if (!port_text.empty()) {
    const auto parsed = parse_port(port_text);
    if (!parsed) return parse_failure(verdict::needs_curl, "port");  // curl decides what it makes of it
    port = *parsed;
  } else if (authority.back() == ':') {
    return parse_failure(verdict::needs_curl, "empty port");
  }

  native_target_parse result;
  result.kind = verdict::ok;
  native_target& target = result.target;
  const std::string host_text(host);
  if (ipv6) {
    if (host.find('%') != std::string_view::npos) return parse_failure(verdict::needs_curl, "scoped IPv6 address");
    sockaddr_in6 address{};
    address.sin6_family = AF_INET6;
    address.sin6_port = htons(static_cast<std::uint16_t>(port));
    if (::inet_pton(AF_INET6, host_text.c_str(), &address.sin6_addr) != 1) {
      return parse_failure(verdict::malformed, "bad IPv6 address");
    }
    std::memcpy(&target.address, &address, sizeof address);
    target.address_length = sizeof address;
    target.host_header = "[" + host_text + "]";
  } else {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    // Strict dotted quads only; "localhost", names and curl's "127.1" shorthands go to curl.
    if (::inet_pton(AF_INET, host_text.c_str(), &address.sin_addr) != 1) {
      return parse_failure(verdict::needs_curl, "a host name (the native transport does not resolve names)");
    }
    std::memcpy(&target.address, &address, sizeof address);
    target.address_length = sizeof address;
    target.host_header = host_text;
  }
  if (port != 80) target.host_header += ":" + std::to_string(port);

  if (path.empty() || path.front() == '?') {
    target.path = "/";
  }
  target.path += path;
  for (char c : target.path) {
    if (!plain_target_byte(c)) return parse_failure(verdict::needs_curl, "bytes curl would encode");
  }
  if (has_dot_segment(target.path)) return parse_failure(verdict::needs_curl, "dot segments");
  return result;
}

std::string resolve_location(std::string_view base_url, std::string_view location) {
  location = location.substr(0, location.find('#'));
  const std::size_t scheme_end = location.find(':');
  const std::size_t first_delimiter = location.find_first_of("/?");
  if (scheme_end != std::string_view::npos && scheme_end > 0 &&
      (first_delimiter == std::string_view::npos || scheme_end < first_delimiter)) {
    return std::string(location);  // absolute: "http://...", "file:///..."
  }
  const std::size_t base_scheme_end = base_url.find("://");
  const std::string_view scheme = base_url.substr(0, base_scheme_end);
  if (location.substr(0, 2) == "//") return std::string(scheme) + ":" + std::string(location);
  const std::size_t authority_start = base_scheme_end == std::string_view::npos ? 0 : base_scheme_end + 3;
  const std::size_t path_start = base_url.find_first_of("/?#", authority_start);
  const std::string_view origin = base_url.substr(0, path_start);
  if (!location.empty() && location.front() == '/') return std::string(origin) + std::string(location);
  std::string_view base_path =
      path_start == std::string_view::npos ? std::string_view("/") : base_url.substr(path_start);
  base_path = base_path.substr(0, base_path.find_first_of("?#"));
  if (base_path.empty()) base_path = "/";
  if (!location.empty() && location.front() == '?') return std::string(origin) + std::string(base_path) + std::string(location);
  const std::string_view directory = base_path.substr(0, base_path.rfind('/') + 1);
  return std::string(origin) + std::string(directory) + std::string(location);
}

}  // namespace serentak::client
