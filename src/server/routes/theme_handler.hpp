#pragma once
// The two generic handlers that play every route of a scenario, with no code per API:
// keyed_handler answers a lookup by one query parameter (weather, books, pizza, profiles, or a
// user's own table), fixed_handler a fixed endpoint (the health story's /status/ok, /slow, /error).
// Each returns a response_plan, with the route's faults applied; nothing is sent or waited here.
// Handlers are immutable after construction and handle() is const and thread-safe: a response is
// built on a copy of the record, never by writing into the shared table (the seed's
// data["city"] = city is a data race); attempt counting locks inside attempt_counter.
// Owned by the router; each owns its scenario_route and refers to the router's delay_model and
// attempt_counter.

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/faults/attempt_counter.hpp"
#include "scenario/delay_model.hpp"
#include "server/routes/response_plan.hpp"
#include "server/faults/route_faults.hpp"
#include "scenario/scenario.hpp"
#include "themes/theme.hpp"

namespace serentak::server {

// What a handler sees of a request (views into the session's request; valid during handle()).
struct request_info {
  std::string_view method;  // "GET" or "HEAD": the router answers every other method itself
  std::string_view target;  // the raw request target, for access lines (escaped there)
  std::string_view query;   // the raw query string, without '?'
};

// Formats "[SERVER] <message>\n" access lines, or none at all (quiet).
struct access_lines {
  bool enabled = true;
  // "[SERVER] GET /status/ok -> 200\n"; method and target are escaped for the log.
  std::string request_line(std::string_view method, std::string_view target, int status) const;
};

class keyed_handler {
 public:
  // Checks the records and templates; throws std::invalid_argument if malformed. attempts: where
  // the route's faults count attempts; nullptr only for a route without faults.
  keyed_handler(scenario_route route, const delay_model& delays, access_lines lines,
                attempt_counter* attempts = nullptr);
  // A seed descriptor's route (see builtin_scenarios.hpp), without faults.
  keyed_handler(const themes::keyed_route& route, const delay_model& delays, access_lines lines);
  keyed_handler(const keyed_handler&) = delete;  // plans refer to route_.path
  keyed_handler& operator=(const keyed_handler&) = delete;

  response_plan handle(const request_info& request) const;
  std::string_view path() const noexcept { return route_.path; }
  // The stored record for key, exactly as parsed from the scenario; nullptr when unknown.
  const nlohmann::ordered_json* record(std::string_view key) const;

 private:
  response_plan answer_record(std::string key, std::string_view line, response_plan plan,
                              const std::string& delay_text) const;
  std::string line(std::string_view tmpl, std::string_view key, std::string_view record, const std::string& delay_text,
                   const request_info& request, int status) const;

  scenario_route route_;
  const delay_model& delays_;
  access_lines lines_;
  route_faults faults_;
  // key -> its record in route_.records (never changed after construction, so the views and
  // pointers stay valid): no second copy of a scenario's records.
  std::map<std::string_view, const nlohmann::ordered_json*, std::less<>> records_;
  std::vector<std::string_view> keys_;  // the scenario's key order (views into route_.records)
};

class fixed_handler {
 public:
  // Throws std::invalid_argument if the route is malformed; attempts as for keyed_handler.
  fixed_handler(scenario_route route, const delay_model& delays, access_lines lines,
                attempt_counter* attempts = nullptr);
  fixed_handler(const themes::fixed_route& route, const delay_model& delays, access_lines lines);
  fixed_handler(const fixed_handler&) = delete;  // plans refer to route_.path
  fixed_handler& operator=(const fixed_handler&) = delete;

  response_plan handle(const request_info& request) const;
  std::string_view path() const noexcept { return route_.path; }

 private:
  scenario_route route_;
  const delay_model& delays_;
  access_lines lines_;
  route_faults faults_;
  bool body_has_delay_ = false;  // "{delay}" inside the body's strings is the delay ("%.2f" seconds)
  std::string fixed_body_;       // the whole body when it has no "{delay}"
};

// The access line of a request that got a fault: "[SERVER] Fault status 503 on /get_user_profile
// for item '1121', attempt 1 (after 0.23s delay)\n"; the item is escaped for the log.
std::string fault_line(const access_lines& lines, const fault_rule& rule, std::string_view path, std::string_view item,
                       std::uint64_t attempt, const std::string& delay_text);

}  // namespace serentak::server
