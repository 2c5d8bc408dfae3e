#pragma once
// Scenario files: JSON in, JSON out. Parsing is strict, because a typo in a mock must not pass
// silently: an unknown key, a wrong type, a negative delay or a share outside [0, 1] is an error
// naming the file and the JSON path ("api.json: routes[0].latency.sigma: must be a number >= 0").
// to_json() writes what parse_scenario() reads back to an equal scenario (the round trip
// `serve --print-scenario weather > w.json; serve --scenario w.json`). Format: docs/mock-server.md.
// Pure functions; thread-safe.

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "scenario/scenario.hpp"

namespace serentak::server {

// What is wrong with a scenario file, message ready to print: "<source>: <json path>: <problem>".
class scenario_error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// The deepest a scenario file or a --fault body may nest arrays and objects (the top-level value
// counts as 1). nlohmann parses any depth without recursion, but copying, comparing and dump()
// recurse: a file of 100,000 '[' would parse and then overflow the stack.
inline constexpr int max_json_depth = 64;

// Why parse_json() refused a text, message ready to append: "not valid JSON: ..." (with the
// parser's position) or "nested deeper than 64 arrays and objects".
class json_text_error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Parses JSON text, at most max_json_depth deep. Throws json_text_error.
nlohmann::ordered_json parse_json(std::string_view text);

// Parses a scenario from text; source names it in errors and becomes scenario::source.
// Throws scenario_error.
scenario parse_scenario(std::string_view text, std::string_view source);

// Reads and parses a file; throws scenario_error (also when it cannot be read).
scenario load_scenario_file(const std::string& file);

// Parses one fault object ("faults": [...] entries); path is its JSON path for errors.
fault_rule parse_fault(const nlohmann::ordered_json& value, std::string_view source, const std::string& path);

nlohmann::ordered_json to_json(const scenario& s);
nlohmann::ordered_json to_json(const latency_model& model);
nlohmann::ordered_json to_json(const fault_rule& rule);

// The scenarios' routes merged into one list, in order. A path claimed twice is a scenario_error
// naming both sources.
std::vector<const scenario_route*> merged_routes(const std::vector<scenario>& scenarios);

}  // namespace serentak::server
