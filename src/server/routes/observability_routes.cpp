#include "server/routes/observability_routes.hpp"

#include "server/stats/metrics_text.hpp"

namespace serentak::server {

bool is_observability_request(std::string_view method, std::string_view target) noexcept {
  std::string_view path = target.substr(0, target.find('?'));
  if (path != stats_path && path != metrics_path) return false;
  return method == "GET" || method == "HEAD";  // otherwise the router answers 404/405
}

std::optional<response_plan> observability_plan(std::string_view method, std::string_view target,
                                                const server_stats& stats) {
  if (!is_observability_request(method, target)) return std::nullopt;
  std::string_view path = target.substr(0, target.find('?'));
  response_plan plan;
  stats_snapshot snapshot = stats.snapshot();
  if (path == stats_path) {
    plan.route = stats_path;
    plan.content_type = json_content_type;
    plan.body = stats_json(snapshot);
  } else {
    plan.route = metrics_path;
    plan.content_type = prometheus_content_type;
    plan.body = prometheus_text(snapshot);
  }
  plan.omit_body = method == "HEAD";
  return plan;
}

}  // namespace serentak::server
