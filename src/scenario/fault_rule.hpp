#pragma once
// A fault as data: what goes wrong (a status with a body, Retry-After, a reset, a truncated or
// malformed body, a slow drip, a hang, a huge body) and which requests it hits (a share of them,
// one item, some attempts). Read from a scenario file's "faults" list or a --fault spec
// (fault_spec.hpp), attached to a route, applied by route_faults. A plain value; immutable once
// built, shared freely across threads.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace serentak::server {

enum class fault_kind {
  status,          // answer `status` with `body` (and Retry-After when retry_after_s is set)
  reset,           // abortive close (RST), no response byte
  close,           // orderly close (FIN), no response byte
  truncate,        // the full Content-Length, then half of the body, then close
  malformed_json,  // the route's status and Content-Type, but only the first half of its JSON body
  html,            // status 200 with an HTML page (a proxy's or captive portal's answer)
  drip,            // the normal response at bytes_per_second
  hang,            // never answer
  huge,            // a 200 JSON body of `bytes` bytes
  limit,           // over limit_per_second requests a second: 429 with Retry-After (a token bucket per rule)
};

// "status", "reset", "close", "truncate", "malformed-json", "html", "drip", "hang", "huge", "limit": the
// names in scenario files, --fault specs and the server's statistics.
std::string_view fault_name(fault_kind kind) noexcept;
std::optional<fault_kind> fault_kind_named(std::string_view name) noexcept;

struct fault_rule {
  fault_kind kind = fault_kind::status;
  double share = 1.0;                          // the fraction of matching requests hit, in [0, 1]; seeded draws
  std::optional<std::string> item;             // only this item (compared after the route's case folding)
  std::uint64_t attempt_min = 0;               // 0: any attempt; else only attempts attempt_min..attempt_max
  std::uint64_t attempt_max = 0;               // (the n-th request the server saw for this route and item)
  int status = 503;                            // status: sendable_status()
  std::optional<nlohmann::ordered_json> body;  // status: the JSON body; none: an "injected_fault" error
  std::optional<std::uint64_t> retry_after_s;  // status: send "Retry-After: <seconds>"
  std::uint64_t bytes_per_second = 0;          // drip: > 0
  std::uint64_t bytes = 0;                     // huge: > 0
  double limit_per_second = 0;                 // limit: requests a second let through (bursts of as many); > 0

  // nullopt when well formed; otherwise "field: what is wrong" (field as in a scenario file).
  std::optional<std::string> problem() const;

  friend bool operator==(const fault_rule&, const fault_rule&) = default;
};

// Whether a route or a fault may answer with `status`: 200-599 except 204 and 304. The session
// always sends Content-Length and a body, and a response that must not have one would break the
// connection: a client takes a 1xx for an interim response and waits on, and a 204 or 304 ends at
// its header, so its body would be read as the start of the next keep-alive response.
constexpr bool sendable_status(std::int64_t status) noexcept {
  return status >= 200 && status <= 599 && status != 204 && status != 304;
}

// The largest huge body and the slowest drip a rule may ask for: guards against a typo that
// would make the server generate terabytes or hold a connection for days.
inline constexpr std::uint64_t max_huge_body_bytes = 64ULL << 30;  // 64 GiB
inline constexpr std::uint64_t max_retry_after_s = 86'400;         // one day
inline constexpr double max_limit_per_second = 1e9;                // a limit above this is a typo

}  // namespace serentak::server
