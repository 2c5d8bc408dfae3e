#include "client/transport/transport_choice.hpp"

#include <cstdlib>

namespace serentak::client {

std::string_view to_string(transport_choice choice) noexcept {
  switch (choice) {
    case transport_choice::automatic: return "auto";
    case transport_choice::curl: return "curl";
    case transport_choice::native: return "native";
  }
  return "auto";
}

std::optional<transport_choice> parse_transport_choice(std::string_view text) noexcept {
  if (text == "auto") return transport_choice::automatic;
  if (text == "curl") return transport_choice::curl;
  if (text == "native") return transport_choice::native;
  return std::nullopt;
}

bool proxy_in_environment() noexcept {
  // What libcurl reads for an http:// URL: http_proxy in lower case only (never HTTP_PROXY, which
  // a CGI program would take from a request's "Proxy:" header: "httpoxy"), then all_proxy and
  // ALL_PROXY. So with only HTTP_PROXY set curl goes direct, and so may the native transport.
  for (const char* name : {"http_proxy", "all_proxy", "ALL_PROXY"}) {
    const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read before workers start
    if (value != nullptr && value[0] != '\0') return true;
  }
  return false;
}

bool proxy_environment_empty() noexcept {
  static const bool empty = [] {
    for (const char* name : {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
                             "no_proxy", "NO_PROXY"}) {
      if (std::getenv(name) != nullptr) return false;  // NOLINT(concurrency-mt-unsafe): nothing sets them
    }
    return true;
  }();
  return empty;
}

}  // namespace serentak::client

namespace serentak::client {

transport_route route_request(transport_choice choice, std::string_view url, bool follow_redirects,
                              bool proxy_configured, const request_shape& shape) {
  transport_route route;
  if (choice == transport_choice::curl) return route;
  if (choice == transport_choice::automatic &&
      (proxy_configured || follow_redirects || !shape.needs_curl().empty())) {
    return route;
  }
  if (choice == transport_choice::native && !shape.needs_curl().empty()) {
    route.how = transport_route::kind::refuse;
    route.refusal = "the native transport cannot send " + shape.needs_curl() + "; use --transport auto or curl";
    return route;
  }
  if (choice == transport_choice::native && follow_redirects && !shape.plain_get()) {
    route.how = transport_route::kind::refuse;
    route.refusal = "the native transport follows redirects for a plain GET only; use --transport auto or curl";
    return route;
  }
  native_target_parse parsed = parse_native_target(url);
  using verdict = native_target_parse::verdict;
  if (parsed.kind == verdict::ok) {
    route.how = transport_route::kind::native;
    route.target = std::move(parsed.target);
    return route;
  }
  if (choice == transport_choice::automatic) return route;  // curl succeeds or refuses as it always did
  route.how = transport_route::kind::refuse;
  switch (parsed.kind) {
    case verdict::other_scheme:
      route.refusal = "Protocol \"" + parsed.scheme + "\" not supported by the native transport";
      break;
    case verdict::needs_curl:
      route.refusal = "the native transport cannot send this URL (" + parsed.why + "); use --transport auto or curl";
      break;
    default: route.refusal = "URL rejected: " + parsed.why; break;
  }
  return route;
}

}  // namespace serentak::client
