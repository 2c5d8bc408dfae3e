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

#include "server/scenario.hpp"

namespace serentak::server {

// What is wrong with a scenario file, message ready to print: "<source>: <json path>: <problem>".
class scenario_error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

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
