#pragma once
// A scenario: the APIs the mock server plays, as data. Each route is either keyed (look an item up
// by one query parameter in a table of records: the four seed lookup APIs, or any user's own) or
// fixed (one status and body: the health story's endpoints), with a latency model and faults.
// Scenario files (scenario_file.hpp) and the five seed themes (builtin_scenarios.hpp) both become
// this model; the router serves nothing else. Plain values, immutable once the server is built.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scenario/fault_rule.hpp"
#include "scenario/latency_model.hpp"

namespace serentak::server {

enum class case_folding { none, upper, lower };  // upper: Python's str.upper(); lower: ASCII only

// A status with a JSON body; "{key}" and "{delay}" inside the body's strings become the request's
// item (after case folding) and the delay ("%.2f" seconds).
struct canned_answer {
  int status = 200;
  nlohmann::ordered_json body = nlohmann::ordered_json::object();
  friend bool operator==(const canned_answer&, const canned_answer&) = default;
};

// Access-line templates ("[SERVER] " + the rendered text); see core/message_template.hpp.
// Variables: {key}, {record} (Python's repr() of the answered record), {delay} ("%.2f" seconds).
// An empty template means the generic line "GET <target> -> <status>".
struct access_templates {
  std::string found;      // a known key
  std::string random;     // a random record (a missing parameter on a route without "missing")
  std::string not_found;  // an unknown key
  std::string missing;    // the parameter is missing or empty
  friend bool operator==(const access_templates&, const access_templates&) = default;
};

struct scenario_route {
  std::string path;   // "/get_weather"; starts with '/'
  std::string param;  // keyed routes: the query parameter ("city"); "": a fixed route

  // keyed routes
  case_folding folding = case_folding::none;                          // applied to the parameter before the lookup
  nlohmann::ordered_json records = nlohmann::ordered_json::object();  // key -> record (a JSON object)
  canned_answer not_found{404, {}};
  std::optional<canned_answer> missing;  // parameter absent or empty; nullopt: a random record (200)
  access_templates lines;

  // fixed routes
  canned_answer answer;

  latency_model latency;           // before every answer of the route, errors included
  std::vector<fault_rule> faults;  // the first rule that hits a request wins

  bool keyed() const noexcept { return !param.empty(); }
  friend bool operator==(const scenario_route&, const scenario_route&) = default;
};

struct scenario {
  std::string name;    // "weather"; --fault may name a one-route scenario instead of its path
  std::string source;  // where it came from, for messages: a file name or "built-in"
  std::vector<scenario_route> routes;
  friend bool operator==(const scenario&, const scenario&) = default;
};

// Applies folding to text (Python's str.upper() for upper, ASCII for lower).
std::string fold_case(std::string_view text, case_folding folding);

}  // namespace serentak::server
