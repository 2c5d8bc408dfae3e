#include "server/stats/metrics_text.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace serentak::server {
namespace {

double millis(std::uint64_t micros) { return static_cast<double>(micros) / 1000.0; }

void family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

std::string stats_json(const stats_snapshot& stats) {
  nlohmann::json by_route = nlohmann::json::object();
  nlohmann::json latency = nlohmann::json::object();
  for (const auto& [route, counters] : stats.routes) {
    nlohmann::json statuses = nlohmann::json::object();
    for (const auto& [status, count] : counters.by_status) statuses[std::to_string(status)] = count;
    by_route[route] = statuses;
    const latency_summary& h = counters.latency_us;
    static_assert(summary_quantiles.size() == 3);  // 0.5, 0.9, 0.99
    latency[route] = {{"count", h.count},
                      {"p50", millis(h.quantiles[0])},
                      {"p90", millis(h.quantiles[1])},
                      {"p99", millis(h.quantiles[2])},
                      {"max", millis(h.max)}};
  }
  nlohmann::json faults = nlohmann::json::object();
  for (const auto& [kind, count] : stats.faults) faults[kind] = count;
  nlohmann::json doc = {
      {"connections",
       {{"open", stats.connections_open},
        {"accepted", stats.connections_accepted},
        {"refused", stats.connections_refused}}},
      {"requests",
       {{"in_flight", stats.requests_in_flight},
        {"answered", stats.requests_answered},  // status 0 (reset, close, hang) got no response
        {"cancelled", stats.requests_cancelled},
        {"by_route", by_route}}},
      {"faults", faults},
      {"latency_ms", latency},
      {"access_lines_dropped", stats.access_lines_dropped},
  };
  // Route names are the server's own, but replace any invalid UTF-8 rather than throw.
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string prometheus_text(const stats_snapshot& stats) {
  std::string out;
  out.reserve(2048 + stats.routes.size() * 640);  // ~6 lines a route; one allocation at 10,000 routes
  auto line = [&out](std::string_view name, auto value) {
    fmt::format_to(std::back_inserter(out), "{} {}\n", name, value);
  };

  family(out, "serentak_connections_open", "gauge", "Client connections open now.");
  line("serentak_connections_open", stats.connections_open);
  family(out, "serentak_connections_accepted_total", "counter", "Client connections accepted.");
  line("serentak_connections_accepted_total", stats.connections_accepted);
  family(out, "serentak_connections_refused_total", "counter",
         "Connections closed at once because max_connections were open.");
  line("serentak_connections_refused_total", stats.connections_refused);
  family(out, "serentak_requests_in_flight", "gauge", "Requests read and not yet answered, delays included.");
  line("serentak_requests_in_flight", stats.requests_in_flight);
  family(out, "serentak_requests_cancelled_total", "counter",
         "Requests whose client left (or the server stopped) before the answer.");
  line("serentak_requests_cancelled_total", stats.requests_cancelled);
  family(out, "serentak_access_lines_dropped_total", "counter",
         "Access lines not written: stdout not read fast enough (queue full) or closed.");
  line("serentak_access_lines_dropped_total", stats.access_lines_dropped);

  family(out, "serentak_requests_total", "counter",
         "Requests finished, by route and status (0: the connection was ended without a response).");
  for (const auto& [route, counters] : stats.routes) {
    std::string label = escape_label_value(route);
    for (const auto& [status, count] : counters.by_status) {
      fmt::format_to(std::back_inserter(out), "serentak_requests_total{{route=\"{}\",status=\"{}\"}} {}\n", label,
                     status, count);
    }
  }
  family(out, "serentak_faults_injected_total", "counter", "Faults injected, by kind.");
  for (const auto& [kind, count] : stats.faults) {
    fmt::format_to(std::back_inserter(out), "serentak_faults_injected_total{{kind=\"{}\"}} {}\n",
                   escape_label_value(kind), count);
  }
  family(out, "serentak_request_duration_seconds", "summary",
         "From the request read to the response written, delays included, by route.");
  for (const auto& [route, counters] : stats.routes) {
    std::string label = escape_label_value(route);
    const latency_summary& h = counters.latency_us;
    for (std::size_t q = 0; q < summary_quantiles.size(); ++q) {
      fmt::format_to(std::back_inserter(out), "serentak_request_duration_seconds{{route=\"{}\",quantile=\"{}\"}} {}\n",
                     label, summary_quantiles[q], static_cast<double>(h.quantiles[q]) / 1e6);
    }
    fmt::format_to(std::back_inserter(out), "serentak_request_duration_seconds_sum{{route=\"{}\"}} {}\n", label,
                   static_cast<double>(h.sum) / 1e6);
    fmt::format_to(std::back_inserter(out), "serentak_request_duration_seconds_count{{route=\"{}\"}} {}\n", label,
                   h.count);
  }
  return out;
}

}  // namespace serentak::server
