#pragma once
// Which HTTP client carries a request: libcurl (everything: https, proxies, DNS, redirects to
// anywhere, compressed bodies) or the native HTTP/1.1 transport (plain http:// to a numeric
// address, keep-alive, one send per request: a fraction of curl's CPU per request). `automatic`
// picks native for every request it can carry the same way and curl for the rest.
// Pure values and functions; thread-safe.

#include <optional>
#include <string>
#include <string_view>

#include "client/transport/native/native_target.hpp"
#include "core/request_shape.hpp"

namespace serentak::client {

enum class transport_choice {
  automatic,  // native for plain http:// that needs nothing only curl has; curl otherwise
  curl,       // every request through libcurl
  native,     // every request natively; a URL it cannot carry fails as unexpected, never sent
};

std::string_view to_string(transport_choice choice) noexcept;
// "auto", "curl", "native"; nullopt for anything else.
std::optional<transport_choice> parse_transport_choice(std::string_view text) noexcept;

// True when the environment names a proxy libcurl would use for http:// (http_proxy, all_proxy,
// ALL_PROXY, non-empty; not HTTP_PROXY, which libcurl ignores; NO_PROXY is not consulted, so a
// proxy it excludes still sends requests to curl, which then goes direct: the same bytes). The native transport speaks to origin servers only, so
// `automatic` then leaves every request to curl. Reads the environment: call once per run.
bool proxy_in_environment() noexcept;
// None of the proxy variables libcurl may read for http:// or https:// is set (http_proxy,
// HTTP_PROXY, https_proxy, HTTPS_PROXY, all_proxy, ALL_PROXY, no_proxy, NO_PROXY). Read once per
// process: serentak never changes its environment.
bool proxy_environment_empty() noexcept;

// Where one request goes. automatic: native for an http:// URL parse_native_target accepts, when
// no proxy is configured, redirects are not followed (a redirect may lead where only curl
// goes) and the request's shape needs nothing only curl does (HEAD, --netrc, a content coding);
// curl for everything else, which then fails or succeeds exactly as before. native: a URL or a
// shape the native transport cannot send is refused (never sent, outcome unexpected), and so is
// following redirects for anything but a plain GET (curl's rules for methods, bodies and
// credentials across hosts are not repeated natively).
struct transport_route {
  enum class kind { curl, native, refuse };
  kind how = kind::curl;
  native_target target;  // native only
  std::string refusal;   // refuse only: why, for fetch_result::error
};
transport_route route_request(transport_choice choice, std::string_view url, bool follow_redirects,
                              bool proxy_configured, const request_shape& shape = request_shape{});

}  // namespace serentak::client
