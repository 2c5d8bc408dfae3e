#include "server/http/response_head.hpp"

#include <cstdio>
#include <ctime>

#include <boost/beast/http/status.hpp>

namespace serentak::server {
namespace {

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ").append(value).append("\r\n");
}

// Removes CR, LF and every other control character except HTAB from a header value.
std::string printable_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if (u == '\t' || (u >= 0x20 && u != 0x7f)) out += c;
  }
  return out;
}

}  // namespace

bool is_header_token(std::string_view name) noexcept {
  if (name.empty()) return false;
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    bool alnum = (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z');
    if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) return false;
  }
  return true;
}

std::string_view cached_http_date() {
  struct cache {
    std::time_t second = -1;
    char text[64] = {};
    std::size_t size = 0;
  };
  thread_local cache c;
  std::time_t now = std::time(nullptr);
  if (now != c.second) {
    std::tm utc{};
    ::gmtime_r(&now, &utc);
    static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int n = std::snprintf(c.text, sizeof c.text, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[utc.tm_wday], utc.tm_mday,
                          months[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
    c.size = n > 0 ? static_cast<std::size_t>(n) : 0;
    c.second = now;
  }
  return {c.text, c.size};
}

std::string response_head(const response_plan& plan, const head_options& options) {
  std::string out;
  out.reserve(256);
  out.append(options.version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  out.append(std::to_string(plan.status)).append(" ");
  out.append(boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(plan.status)));
  out.append("\r\n");
  append_field(out, "Server", "serentak");
  append_field(out, "Date", cached_http_date());
  append_field(out, "Content-Type", plan.content_type);
  if (plan.allow_header) append_field(out, "Allow", allowed_methods);
  append_field(out, "X-Serentak-Delay-Ms", std::to_string(delay_ms(plan)));
  for (const auto& [name, value] : plan.extra_headers) {
    if (is_header_token(name)) append_field(out, name, printable_value(value));
  }
  if (options.version == 10 && options.keep_alive) append_field(out, "Connection", "keep-alive");
  if (options.version != 10 && !options.keep_alive) append_field(out, "Connection", "close");
  append_field(out, "Content-Length", std::to_string(options.content_length));
  out.append("\r\n");
  return out;
}

}  // namespace serentak::server
