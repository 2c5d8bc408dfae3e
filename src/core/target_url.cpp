#include "core/target_url.hpp"

#include <algorithm>
#include <array>

#include "core/ascii.hpp"
#include "core/log_text.hpp"
#include "core/url_redaction.hpp"

namespace serentak {

// "http://u:pa/ss@h/": a '/', '?' or '#' in a password ends the authority early, so its host and
// port are read from the password ("u:pa"). When an '@' follows the authority's end and the authority
// holds a ':', the text up to that '@' is taken for userinfo: url as shown masked up to it; nullopt
// for any other url.
std::optional<std::string> masked_up_to_a_late_at(std::string_view url) {
  const std::size_t scheme_end = url.find("://");
  const std::size_t start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  const std::string_view rest = url.substr(start);
  const std::size_t end = rest.find_first_of("/?#");
  if (end == std::string_view::npos) return std::nullopt;
  const std::size_t at = rest.find('@', end);
  if (at == std::string_view::npos || rest.substr(0, end).find(':') == std::string_view::npos) return std::nullopt;
  return "'" +
         escape_for_log(redact_url(std::string(url.substr(0, start)) + "***@" + std::string(rest.substr(at + 1)))) +
         "'";
}

namespace {

// A refusal quotes the url redacted, or masked up to a late '@' (a password holding '/', '?' or '#',
// which redact_url, reading the authority up to the first of them, would show).
std::string shown(std::string_view url) {
  return masked_up_to_a_late_at(url).value_or("'" + escape_for_log(redact_url(url)) + "'");
}
// A proxy without a scheme is masked too (libcurl takes "user:pass@h:1" as http://).
std::string shown_proxy(std::string_view url) {
  return masked_up_to_a_late_at(url).value_or("'" + escape_for_log(redact_proxy(url)) + "'");
}

bool has_space_or_control(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7F;
  });
}

// "user:pass@host:port" of "scheme://user:pass@host:port/path"; the whole text when there is no "://".
std::string_view authority_of(std::string_view url) {
  if (std::size_t scheme_end = url.find("://"); scheme_end != std::string_view::npos) url.remove_prefix(scheme_end + 3);
  return url.substr(0, url.find_first_of("/?#"));
}

// "host:port" without "user:pass@".
std::string_view host_and_port(std::string_view authority) {
  std::size_t at = authority.rfind('@');
  return at == std::string_view::npos ? authority : authority.substr(at + 1);
}

// The port check of check_url_port, quoting the port.
std::optional<std::string> port_problem(std::string_view url) {
  std::string_view host = host_and_port(authority_of(url));
  // The port follows the last ':' outside an IPv6 literal's brackets ("[::1]:8080").
  std::size_t colon = host.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  if (std::size_t bracket = host.rfind(']'); bracket != std::string_view::npos && bracket > colon) return std::nullopt;
  std::string_view port = host.substr(colon + 1);
  if (port.empty() || port.find("{}") != std::string_view::npos) return std::nullopt;
  unsigned long value = 0;
  for (char c : port) {
    if (c < '0' || c > '9' || value > 65535) return "the port '" + escape_for_log(port) + "' is not 1 to 65535";
    value = value * 10 + static_cast<unsigned long>(c - '0');
  }
  if (value < 1 || value > 65535) return "the port '" + escape_for_log(port) + "' is not 1 to 65535";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> check_url_port(std::string_view url) {
  std::optional<std::string> problem = port_problem(url);
  // The "port" is then part of a password: never quoted.
  if (problem && masked_up_to_a_late_at(url)) {
    return "a '/', '?' or '#' in its user name or password ends the host early: percent-encode it (%2F, %3F, %23)";
  }
  return problem;
}

std::optional<std::string> check_target_url(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return shown(url) + " is not a URL (expected http://host/... or https://host/...)";
  }
  std::string scheme = ascii_lower(url.substr(0, scheme_end));
  if (scheme != "http" && scheme != "https") {
    return shown(url) + " uses the scheme '" + escape_for_log(scheme) + "'; only http and https are allowed";
  }
  std::string_view host = host_and_port(authority_of(url));
  if (host.empty() || host.front() == ':') return shown(url) + " has no host";
  if (has_space_or_control(url)) return shown(url) + " contains spaces or control characters; percent-encode them";
  if (host.front() == '[' && host.find(']') == std::string_view::npos) return shown(url) + " has an unclosed '['";
  if (auto problem = check_url_port(url)) return shown(url) + ": " + *problem;
  return std::nullopt;
}

std::optional<std::string> check_proxy_url(std::string_view url) {
  if (has_space_or_control(url)) return shown_proxy(url) + " contains spaces or control characters";
  if (std::size_t scheme_end = url.find("://"); scheme_end != std::string_view::npos) {
    static constexpr std::array<std::string_view, 7> schemes = {"http",    "https",  "socks",  "socks4",
                                                                "socks4a", "socks5", "socks5h"};
    std::string scheme = ascii_lower(url.substr(0, scheme_end));
    if (std::find(schemes.begin(), schemes.end(), scheme) == schemes.end()) {
      return shown_proxy(url) + " uses the scheme '" + escape_for_log(scheme) +
             "'; a proxy is http, https, socks, socks4, socks4a, socks5 or socks5h";
    }
  }
  std::string_view host = host_and_port(authority_of(url));
  if (host.empty() || host.front() == ':') return shown_proxy(url) + " has no host";
  if (host.front() == '[' && host.find(']') == std::string_view::npos) return shown_proxy(url) + " has an unclosed '['";
  if (auto problem = check_url_port(url)) return shown_proxy(url) + ": " + *problem;
  return std::nullopt;
}

}  // namespace serentak
