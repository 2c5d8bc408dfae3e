#pragma once
// The five seed themes as scenarios, generated from their descriptors (src/themes), so there is
// one copy of the seed data and `serentak serve` without --scenario plays exactly the seed APIs.
// Pure functions; each call builds fresh values.

#include <optional>
#include <string_view>
#include <vector>

#include "scenario/scenario.hpp"
#include "themes/theme.hpp"

namespace serentak::server {

// weather, books, pizza, health, profiles (the seeds' order), each named after its command.
std::vector<scenario> builtin_scenarios();
std::optional<scenario> builtin_scenario(std::string_view name);

// One descriptor as a scenario route. Throws std::invalid_argument if its JSON is malformed.
scenario_route route_of(const themes::keyed_route& route);
scenario_route route_of(const themes::fixed_route& route);
scenario scenario_of(const themes::theme& theme);

}  // namespace serentak::server
