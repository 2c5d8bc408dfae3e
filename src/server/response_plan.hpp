#pragma once
// What a handler decides for one request, before any byte is sent: the status, the body, how long
// to wait first, and the access line to print. The session turns it into an HTTP response after
// waiting `delay` on a timer. A plain value; built on an io thread, handed to the session's strand.

#include <chrono>
#include <cmath>
#include <string>
#include <string_view>

namespace serentak::server {

inline constexpr std::string_view json_content_type = "application/json";          // jsonify()
inline constexpr std::string_view html_content_type = "text/html; charset=utf-8";  // Werkzeug pages
inline constexpr std::string_view allowed_methods = "GET, HEAD, OPTIONS";          // every route

struct response_plan {
  int status = 200;
  std::string_view content_type = json_content_type;  // always one of the constants above
  std::string body;
  std::chrono::nanoseconds delay{0};  // waited on a steady_timer before the response is written
  bool allow_header = false;          // send "Allow: GET, HEAD, OPTIONS" (405 and OPTIONS)
  bool omit_body = false;             // HEAD: the body's Content-Length, but no body bytes
  bool close = false;                 // close the connection after this response
  std::string access_line;            // "[SERVER] ...\n", written once the delay is over; "": none
};

// The delay as the X-Serentak-Delay-Ms header shows it: whole milliseconds, rounded.
inline long long delay_ms(const response_plan& plan) noexcept {
  return std::llround(static_cast<double>(plan.delay.count()) / 1e6);
}

}  // namespace serentak::server
