#pragma once
// The two generic handlers that play every seed API from its theme descriptor, with no code per
// theme: keyed_handler answers a lookup by one query parameter (weather, books, pizza, profiles),
// fixed_handler a fixed endpoint (the health story's /status/ok, /slow, /error).
// Each returns a response_plan; nothing is sent or waited here. Handlers are immutable after
// construction and handle() is const and thread-safe: a response is built on a copy of the record,
// never by writing into the shared table (the seed's data["city"] = city is a data race).
// Owned by the router; they refer to the theme data (static) and the router's delay_model.

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/delay_model.hpp"
#include "server/response_plan.hpp"
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
  // Parses route.records_json and checks the templates; throws std::invalid_argument if malformed.
  keyed_handler(const themes::keyed_route& route, const delay_model& delays, access_lines lines);

  response_plan handle(const request_info& request) const;
  std::string_view path() const noexcept { return route_.path; }
  // The stored record for key, exactly as parsed from the theme; nullptr when unknown.
  const nlohmann::ordered_json* record(std::string_view key) const;

 private:
  response_plan answer_record(std::string key, std::string_view line, response_plan plan,
                              const std::string& delay_text) const;
  std::string line(std::string_view tmpl, std::string_view key, std::string_view record,
                   const std::string& delay_text) const;

  const themes::keyed_route& route_;
  const delay_model& delays_;
  access_lines lines_;
  std::map<std::string, nlohmann::ordered_json, std::less<>> records_;  // key -> record, seed field order
  std::vector<std::string> keys_;                                       // the seed's key order
};

class fixed_handler {
 public:
  // Parses route.body_json; throws std::invalid_argument if it is not a JSON object.
  fixed_handler(const themes::fixed_route& route, const delay_model& delays, access_lines lines);

  response_plan handle(const request_info& request) const;
  std::string_view path() const noexcept { return route_.path; }

 private:
  const themes::fixed_route& route_;
  const delay_model& delays_;
  access_lines lines_;
  nlohmann::ordered_json body_;  // "{delay}" inside its strings is the delay ("%.2f" seconds)
  bool body_has_delay_ = false;
  std::string fixed_body_;  // the whole body when it has no "{delay}"
};

}  // namespace serentak::server
