#pragma once
// Renders a stats_snapshot for the two observability routes: JSON for GET /__serentak/stats and
// the Prometheus text exposition format (version 0.0.4) for GET /metrics. Pure functions.

#include <string>
#include <string_view>

#include "core/prometheus_label.hpp"  // escape_label_value, for the route labels
#include "server/stats/server_stats.hpp"

namespace serentak::server {

inline constexpr std::string_view prometheus_content_type = "text/plain; version=0.0.4; charset=utf-8";

// {"connections":{...},"requests":{...,"by_route":{route:{status:count}}},"faults":{kind:count},
//  "latency_ms":{route:{"count","p50","p90","p99","max"}},"access_lines_dropped":N}, one line,
//  ending in "\n".
std::string stats_json(const stats_snapshot& stats);

// Counters and gauges with HELP and TYPE lines; per-route latency as a summary (quantiles 0.5,
// 0.9, 0.99, _sum, _count) in seconds.
std::string prometheus_text(const stats_snapshot& stats);

}  // namespace serentak::server
