#include "server/routes/router.hpp"

#include <stdexcept>

#include "scenario/builtin_scenarios.hpp"
#include "server/http/error_page.hpp"
#include "core/query_string.hpp"

namespace serentak::server {

router::router(std::span<const themes::theme> themes, router_options options)
    : router(
          [&] {
            std::vector<scenario> scenarios;
            for (const themes::theme& t : themes) scenarios.push_back(scenario_of(t));
            return scenarios;
          }(),
          options) {}

router::router(const server_config& config)
    : router(config.scenarios.empty() ? builtin_scenarios() : config.scenarios,
             router_options{config.seed, config.delay_scale, !config.quiet}) {}

router::router(std::vector<scenario> scenarios, router_options options)
    : delays_(options.seed, options.delay_scale), lines_{options.access_lines} {
  for (scenario& s : scenarios) {
    for (scenario_route& route : s.routes) {
      // Moved, not copied: a keyed route may hold a million records. The handler keeps the path.
      if (route.keyed()) {
        keyed_handler& h = keyed_.emplace_back(std::move(route), delays_, lines_, &attempts_);
        add(h.path(), &h);
      } else {
        fixed_handler& h = fixed_.emplace_back(std::move(route), delays_, lines_, &attempts_);
        add(h.path(), &h);
      }
    }
  }
}

void router::add(std::string_view path, handler h) {
  if (path.empty() || path.front() != '/') {
    throw std::invalid_argument("route path must start with '/': " + std::string(path));
  }
  if (!routes_.emplace(std::string(path), h).second) {
    throw std::invalid_argument("two routes for the same path: " + std::string(path));
  }
}

response_plan router::route(std::string_view method, std::string_view target) const {
  request_target parsed = split_target(target);
  auto found = routes_.find(parsed.path);
  response_plan plan;
  if (found == routes_.end()) {
    plan = error_page(404);
  } else if (method == "GET" || method == "HEAD") {
    request_info request{method, target, parsed.query};
    plan = std::visit([&](const auto* h) { return h->handle(request); }, found->second);
    plan.omit_body = method == "HEAD";
    return plan;
  } else if (method == "OPTIONS") {  // Flask's automatic OPTIONS: empty 200 with the Allow list
    plan.status = 200;
    plan.content_type = html_content_type;
    plan.allow_header = true;
  } else {
    plan = error_page(405);
  }
  plan.omit_body = method == "HEAD";  // Werkzeug sends no body for any HEAD, error pages included
  plan.access_line = lines_.request_line(method, target, plan.status);
  return plan;
}

response_plan router::reject(int status) const {
  response_plan plan = error_page(status, true);
  if (lines_.enabled) plan.access_line = "[SERVER] unreadable request -> " + std::to_string(status) + "\n";
  return plan;
}

std::vector<std::string> router::paths() const {
  std::vector<std::string> out;
  for (const auto& [path, h] : routes_) out.push_back(path);
  return out;
}

}  // namespace serentak::server
