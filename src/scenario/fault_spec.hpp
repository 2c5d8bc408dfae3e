#pragma once
// The compact fault spec of `serentak serve --fault SPEC`: a route, then ':'-separated fields.
//
//   profiles:user_id=1121:attempt=1:503:retry-after=1   user 1121's first request: 503 + Retry-After: 1
//   /get_weather:5%:reset                               5% of requests: connection reset
//   /check_book_status:attempt=1-2:close                every ISBN's first two requests: closed unanswered
//   /status/ok:10%:500:body={"status":"error"}          body= takes the rest of the spec (JSON)
//   /get_weather:limit=50/s                             over 50 a second: 429 + Retry-After
//
// Route: a path ("/get_weather") or the name of a one-route scenario ("profiles"). Fields:
// `N%` or `share=F` (a share of matching requests), `item=V` or `<param>=V` (one item; %XX
// decoded), `attempt=N` or `attempt=N-M`, the kind (a status code 200-599 but 204 and 304, reset,
// close, truncate, malformed-json, html, hang, drip=BYTES_PER_SECOND, huge=BYTES with an optional
// k/M/G suffix, limit=RATE as 50, 50/s, 300/m or 100/h), and for a status `retry-after=SECONDS` and `body=JSON` (at
// most max_json_depth deep). Format: docs/mock-server.md. Pure functions; thread-safe.

#include <string>
#include <string_view>
#include <vector>

#include "scenario/fault_rule.hpp"
#include "scenario/scenario.hpp"

namespace serentak::server {

struct fault_option {
  std::string spec;   // as given, for messages
  std::string route;  // a path or a scenario name
  std::string param;  // "<param>=V" named this parameter; "": item= or no item
  fault_rule rule;
};

// Throws std::invalid_argument: "--fault 'SPEC': <what is wrong>".
fault_option parse_fault_spec(std::string_view spec);

// Appends each option's rule to the route it names, after the faults the route already has.
// Throws std::invalid_argument for an unknown route, a scenario name with several routes, or a
// parameter name the route does not take.
void attach_faults(std::vector<scenario>& scenarios, const std::vector<fault_option>& faults);

}  // namespace serentak::server
