#pragma once
// Which endpoints can share one engine run. The client engine sends every request of a run with
// one fetch_policy (method, header lines, body, timeout), so `serentak monitor` runs one engine per
// distinct (method, headers, body, timeout, ca-file, insecure, retries, whether its conditions read
// the certificate) and puts each endpoint in the group of its request.
// A file of 10,000 GETs with the default headers is one group: one engine, one worker thread.
// Pure functions over a loaded monitor_config; safe from any thread.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "client/engine/fetch_types.hpp"
#include "monitor/monitor_config.hpp"

namespace serentak::monitor {

struct request_group {
  std::string method;
  std::vector<std::pair<std::string, std::string>> headers;  // as the file gives them, in order
  std::string body;                                          // empty: none
  std::chrono::milliseconds timeout{0};
  std::string ca_file;    // https: the bundle to verify against; empty: the system's
  bool insecure = false;  // https: no verification
  int retries = 0;        // the engine's retry_policy::max_retries
  std::vector<std::size_t> endpoints;  // indexes into monitor_config::endpoints, in file order
  std::vector<std::string> kept_headers;  // [HEADER] names its endpoints' conditions read (lower-cased, once each)
  bool want_certificate = false;          // one of its endpoints reads [CERTIFICATE_EXPIRATION]
};

// The groups, in the order of their first endpoint in the file.
std::vector<request_group> group_by_request(const monitor_config& config);

// The engine's policy for a group: its request shape and timeout, no redirects followed, bodies
// kept up to max_body_bytes (conditions read them), the headers and certificate its conditions read. Throws std::invalid_argument when the request
// cannot be sent (the loader has already checked methods and headers, so only a bug gets here).
client::fetch_policy policy_for(const request_group& group, std::size_t max_body_bytes);

// The item every monitor request carries. request_shape fills "{}" in headers and body with the
// item; "{}" itself leaves them exactly as the file wrote them (a JSON body "{}" stays "{}").
inline constexpr std::string_view literal_item = "{}";

}  // namespace serentak::monitor
