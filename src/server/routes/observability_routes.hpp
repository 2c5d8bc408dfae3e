#pragma once
// The server's own routes, answered before the router sees the request: GET /__serentak/stats
// (JSON) and GET /metrics (Prometheus text). They take no delay, inject no fault and write no
// access line, so a scraper neither slows down nor floods the log. Pure apart from reading stats.

#include <optional>
#include <string_view>

#include "server/routes/response_plan.hpp"
#include "server/stats/server_stats.hpp"

namespace serentak::server {

inline constexpr std::string_view stats_path = "/__serentak/stats";
inline constexpr std::string_view metrics_path = "/metrics";

// True when observability_plan answers this request (the cheap test, on the I/O thread; the
// answer itself is rendered off it: a 10,000-route /metrics takes tens of milliseconds).
bool is_observability_request(std::string_view method, std::string_view target) noexcept;

// The answer for one of the two paths (GET or HEAD; any query string is ignored), or nullopt
// when the request is for the router.
std::optional<response_plan> observability_plan(std::string_view method, std::string_view target,
                                                const server_stats& stats);

}  // namespace serentak::server
