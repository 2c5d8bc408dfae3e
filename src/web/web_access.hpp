#pragma once
// Who may read the dashboard: where it listens (--web HOST:PORT) and the bearer token that a
// non-loopback bind requires. Pure functions; the token compare takes the same time whatever the
// guess, so a remote client cannot find the token a byte at a time.

#include <optional>
#include <string>
#include <string_view>

namespace serentak::web {

struct web_address {
  std::string host;  // IPv4 or IPv6 literal (without brackets) or "localhost"
  unsigned short port = 0;
};

// "127.0.0.1:8080", "[::1]:0", "localhost:8080", ":8080" (loopback); nullopt when malformed.
std::optional<web_address> parse_web_address(std::string_view text);
// 127.0.0.0/8, ::1, localhost.
bool is_loopback(std::string_view host);

// a == b, in time that depends only on the lengths.
bool same_secret(std::string_view a, std::string_view b) noexcept;

// True when the request carries the token: "Authorization: Bearer TOKEN" or "?token=TOKEN".
// An empty token lets every request in.
bool authorized(std::string_view token, std::string_view authorization, std::string_view query);

}  // namespace serentak::web
