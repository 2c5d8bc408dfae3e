#pragma once
// What a handler decides for one request, before any byte is sent: the status, the body, how long
// to wait first, and the access line to print. The session turns it into an HTTP response after
// waiting `delay` on a timer. A plain value; built on an io thread, handed to the session's thread.

#include <chrono>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace serentak::server {

inline constexpr std::string_view json_content_type = "application/json";          // jsonify()
inline constexpr std::string_view html_content_type = "text/html; charset=utf-8";  // Werkzeug pages
inline constexpr std::string_view allowed_methods = "GET, HEAD, OPTIONS";          // every route

// How the response's bytes leave the server: normally, or as an injected transport fault.
// Faults that only change what is said (a status, Retry-After, malformed JSON, HTML with 200) are
// plain plans with delivery::normal; only what the session must do differently is listed here.
enum class delivery {
  normal,
  reset,        // abortive close (RST) instead of any response byte
  close_early,  // orderly close (FIN) without any response byte
  truncate,     // the full Content-Length header, then only half of the body, then close
  drip,         // the whole response at drip_bytes_per_second, then as normal
  hang,         // never answer; the connection stays open until the peer, a timeout or stop() ends it
  huge,         // a JSON-looking body of huge_body_bytes, generated while sending (never held whole)
};

struct response_plan {
  int status = 200;
  std::string_view content_type = json_content_type;  // always one of the constants above
  std::string body;
  std::chrono::nanoseconds delay{0};  // waited on a steady_timer before the response is written
  bool allow_header = false;          // send "Allow: GET, HEAD, OPTIONS" (405 and OPTIONS)
  bool omit_body = false;             // HEAD: the body's Content-Length, but no body bytes
  bool close = false;                 // close the connection after this response
  std::string access_line;            // "[SERVER] ...\n", written once the delay is over; "": none

  delivery how = delivery::normal;
  std::uint64_t drip_bytes_per_second = 0;  // delivery::drip; > 0
  std::uint64_t huge_body_bytes = 0;        // delivery::huge
  // Extra response headers (Retry-After). Names and values are made by the server from its own
  // configuration, never copied from the request.
  std::vector<std::pair<std::string, std::string>> extra_headers;
  std::string_view route;  // the matched route's path for statistics; "": no route (404, 405, rejects)
  std::string_view fault;  // the injected fault's name for statistics; "": none
};

// The delay as the X-Serentak-Delay-Ms header shows it: whole milliseconds, rounded.
inline long long delay_ms(const response_plan& plan) noexcept {
  return std::llround(static_cast<double>(plan.delay.count()) / 1e6);
}

}  // namespace serentak::server
