#pragma once
// Checks a URL the user typed before anything is sent: http and https only, with a host, a port
// (when given) of 1-65535, no control characters or spaces. Pure; the engine also restricts curl
// to http/https. Every reason shows the URL redacted (core/url_redaction.hpp) and escaped.

#include <optional>
#include <string>
#include <string_view>

namespace serentak {

// nullopt when url is acceptable; otherwise a one-line reason for the user.
std::optional<std::string> check_target_url(std::string_view url);

// A url whose password holds '/', '?' or '#' ("http://u:pa/ss@h/"; redact_url reads the authority up to
// the first of them and would show it): quoted for a message, masked up to the '@' that follows them
// when the text before them holds a ':'; nullopt for any other url.
std::optional<std::string> masked_up_to_a_late_at(std::string_view url);

// The port of "scheme://[userinfo@]host[:port]/...": nullopt when none is given, when it holds
// "{}" (an item's place: not checked here, nor after expansion; only an item that is a whole URL,
// --urls or health, is checked as a URL of its own, and libcurl refuses a bad expanded port per item)
// or when it is 1-65535; otherwise a one-line reason naming the port ("the port '99999' is not 1 to 65535"),
// unless that "port" is part of a password holding '/', '?' or '#' ("http://u:pa/ss@h/": an '@' follows
// and the text before it holds a ':'): then the reason says so and quotes none of it.
std::optional<std::string> check_url_port(std::string_view url);

// A proxy URL (--proxy) as libcurl takes it: http, https, socks (SOCKS4), socks4, socks4a, socks5 or
// socks5h, or no scheme (http); a host; a port 1-65535 when given; no spaces or control characters.
// nullopt when acceptable; otherwise a one-line reason that shows the URL with its password masked.
std::optional<std::string> check_proxy_url(std::string_view url);

}  // namespace serentak
