#include "web/web_access.hpp"

#include <charconv>

#include <boost/asio/ip/address.hpp>

#include "core/query_string.hpp"

namespace serentak::web {

std::optional<web_address> parse_web_address(std::string_view text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc{} || end != port_text.data() + port_text.size() || port > 65535)
    return std::nullopt;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return std::nullopt;  // an IPv6 literal needs its brackets: [::1]:8080
  }
  if (host.empty()) host = "127.0.0.1";
  if (host != "localhost") {
    boost::system::error_code bad;
    boost::asio::ip::make_address(std::string(host), bad);
    if (bad) return std::nullopt;
  }
  return web_address{std::string(host), static_cast<unsigned short>(port)};
}

bool is_loopback(std::string_view host) {
  if (host == "localhost") return true;
  boost::system::error_code bad;
  const auto address = boost::asio::ip::make_address(std::string(host), bad);
  return !bad && address.is_loopback();
}

bool same_secret(std::string_view a, std::string_view b) noexcept {
  // Every byte of the longer one is looked at; the lengths are folded into the difference.
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const std::size_t n = a.size() > b.size() ? a.size() : b.size();
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff = static_cast<unsigned char>(diff | (x ^ y));
  }
  return diff == 0;
}

bool authorized(std::string_view token, std::string_view authorization, std::string_view query) {
  if (token.empty()) return true;
  constexpr std::string_view bearer = "Bearer ";
  if (authorization.size() > bearer.size() && authorization.substr(0, bearer.size()) == bearer &&
      same_secret(authorization.substr(bearer.size()), token)) {
    return true;
  }
  const std::optional<std::string> given = query_get(query, "token");
  return given && same_secret(*given, token);
}

}  // namespace serentak::web
