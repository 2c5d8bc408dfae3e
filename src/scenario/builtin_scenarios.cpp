#include "scenario/builtin_scenarios.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace serentak::server {
namespace {

using nlohmann::ordered_json;

constexpr std::string_view bad_request_error = "bad_request";  // every seed's 400 "error"

ordered_json parse_object(std::string_view text, std::string_view path, std::string_view what) {
  auto value = ordered_json::parse(text, nullptr, false);
  if (value.is_discarded() || !value.is_object()) {
    throw std::invalid_argument(fmt::format("route {}: {} is not a JSON object", path, what));
  }
  return value;
}

latency_model latency_of(themes::delay_range range) {
  if (range.min_s == range.max_s) return latency_model::fixed(range.min_s);
  return latency_model::uniform(range.min_s, range.max_s);
}

ordered_json error_body(std::string_view error, std::string_view message) {
  return ordered_json{{"error", error}, {"message", message}};
}

}  // namespace

scenario_route route_of(const themes::keyed_route& route) {
  scenario_route out;
  out.path = route.path;
  out.param = route.param;
  out.folding = route.upper_case ? case_folding::upper : case_folding::none;
  out.records = parse_object(route.records_json, route.path, "records_json");
  out.not_found = {404, error_body(route.not_found_error, route.not_found_message)};
  if (!route.missing_message.empty())
    out.missing = canned_answer{400, error_body(bad_request_error, route.missing_message)};
  out.lines = {std::string(route.found_line), std::string(route.random_line), std::string(route.not_found_line),
               std::string(route.missing_line)};
  out.latency = latency_of(route.delay);
  return out;
}

scenario_route route_of(const themes::fixed_route& route) {
  scenario_route out;
  out.path = route.path;
  out.answer = {route.status, parse_object(route.body_json, route.path, "body_json")};
  out.latency = latency_of(route.delay);
  return out;
}

scenario scenario_of(const themes::theme& theme) {
  scenario out;
  out.name = theme.command;
  out.source = "built-in";
  if (theme.keyed) out.routes.push_back(route_of(*theme.keyed));
  for (const themes::fixed_route& route : theme.fixed) out.routes.push_back(route_of(route));
  return out;
}

std::vector<scenario> builtin_scenarios() {
  std::vector<scenario> out;
  for (const themes::theme& theme : themes::seed_themes()) out.push_back(scenario_of(theme));
  return out;
}

std::optional<scenario> builtin_scenario(std::string_view name) {
  const themes::theme* theme = themes::find_theme(name);
  if (theme == nullptr) return std::nullopt;
  return scenario_of(*theme);
}

}  // namespace serentak::server
