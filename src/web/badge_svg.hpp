#pragma once
// The SVG badge of one endpoint (/badge/NAME.svg): its name on the left, its state and 24-hour
// uptime on the right, coloured by state, shields.io's flat shape. Every piece of text is
// XML-escaped, so a hostile endpoint name stays text. Pure functions.

#include <optional>
#include <string>
#include <string_view>

#include "monitor/health_state.hpp"

namespace serentak::web {

// &, <, >, " and ' as entities; control characters (not valid in XML 1.0) dropped.
std::string xml_escape(std::string_view text);

std::string badge_svg(std::string_view name, monitor::health state, const std::optional<double>& uptime_24h);

}  // namespace serentak::web
