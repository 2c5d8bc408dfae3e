#pragma once
// The bytes of an HTTP/1.x response head for a response_plan, built in one string (no header
// container), with the Date header cached per second and per thread. Used for every response
// the session sends, including the transport faults that need the head on its own (truncate,
// drip, huge). Pure apart from the thread-local Date cache.

#include <cstdint>
#include <string>
#include <string_view>

#include "server/routes/response_plan.hpp"

namespace serentak::server {

struct head_options {
  unsigned version = 11;             // 10 or 11, as the request's
  bool keep_alive = true;            // false: "Connection: close" (1.1); 1.0 keep-alive says so
  std::uint64_t content_length = 0;  // what Content-Length announces
};

// "HTTP/1.1 200 OK\r\nServer: serentak\r\nDate: ...\r\nContent-Type: ...\r\n[Allow]
//  X-Serentak-Delay-Ms: N\r\n[extra headers][Connection]Content-Length: N\r\n\r\n".
// Extra headers whose name is not an HTTP token are dropped, and control characters are removed
// from their values, so not even a mistaken plan can split the response.
std::string response_head(const response_plan& plan, const head_options& options);

// The current time as an IMF-fixdate ("Tue, 24 Nov 2026 04:24:03 GMT"), formatted once a second
// per thread.
std::string_view cached_http_date();

// True when name is an RFC 9110 token (the characters a header name may have).
bool is_header_token(std::string_view name) noexcept;

}  // namespace serentak::server
