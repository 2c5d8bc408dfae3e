#pragma once
// What one check of an endpoint saw, as the conditions read it: the HTTP status, the response time,
// the body (parsed as JSON only if a condition reads [BODY] paths), the headers, whether a connection
// was made, and the certificate's remaining validity. A plain value filled by the engine adapter.

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace serentak::monitor {

struct check_result {
  long status = 0;                                           // HTTP status; 0 when no response arrived
  std::chrono::microseconds response_time{0};                // start of the attempt to its end
  std::string body;                                          // the response body as received (capped by the engine)
  std::vector<std::pair<std::string, std::string>> headers;  // response headers in arrival order
  bool connected = false;                                    // a TCP (and TLS) connection was established
  std::optional<std::chrono::milliseconds> certificate_expires_in;  // https only: time left on the leaf certificate
};

}  // namespace serentak::monitor
