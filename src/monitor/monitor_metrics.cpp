#include "monitor/monitor_metrics.hpp"

#include <chrono>
#include <iterator>

#include <fmt/format.h>

#include "core/prometheus_label.hpp"
#include "monitor/health_state.hpp"

namespace serentak::monitor {

template <std::size_t N>
void monitor_metrics::histogram<N>::observe(std::int64_t micros, const std::array<double, N>& bounds) noexcept {
  if (micros < 0) micros = 0;
  const double seconds = static_cast<double>(micros) / 1e6;
  std::size_t bucket = N;  // +Inf
  for (std::size_t k = 0; k < N; ++k) {
    if (seconds <= bounds[k]) {
      bucket = k;
      break;
    }
  }
  buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_us.fetch_add(static_cast<std::uint64_t>(micros), std::memory_order_relaxed);
}

monitor_metrics::monitor_metrics(const monitor_config& config)
    : series_(std::make_unique<endpoint_series[]>(config.endpoints.size())), count_(config.endpoints.size()) {
  for (std::size_t i = 0; i < count_; ++i) {
    series_[i].name = config.endpoints[i].name;
    series_[i].group = config.endpoints[i].group;
    index_.emplace(config.endpoints[i].name, i);
  }
}

void monitor_metrics::on_check(const check_update& update) noexcept {
  const auto found = index_.find(update.endpoint.name);
  if (found == index_.end()) return;
  endpoint_series& s = series_[found->second];
  s.state.store(static_cast<int>(update.state.state), std::memory_order_relaxed);
  const std::optional<outcome> kind = outcome_from_string(update.record.outcome);
  s.by_outcome[static_cast<std::size_t>(kind.value_or(outcome::unexpected))].fetch_add(1, std::memory_order_relaxed);
  if (!update.record.passed) s.failed.fetch_add(1, std::memory_order_relaxed);
  const std::int64_t duration = update.record.duration.count();
  s.last_duration_us.store(duration, std::memory_order_relaxed);
  duration_.observe(duration, duration_bounds);
  lag_.observe(std::chrono::duration_cast<std::chrono::microseconds>(update.record.started - update.record.due).count(),
               lag_bounds);
}

namespace {

template <typename Histogram, std::size_t N>
void render_histogram(std::string& out, std::string_view name, std::string_view help, const Histogram& h,
                      const std::array<double, N>& bounds) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} histogram\n", name, help, name);
  std::uint64_t cumulative = 0;
  for (std::size_t k = 0; k < N; ++k) {
    cumulative += h.buckets[k].load(std::memory_order_relaxed);
    fmt::format_to(std::back_inserter(out), "{}_bucket{{le=\"{}\"}} {}\n", name, bounds[k], cumulative);
  }
  cumulative += h.buckets[N].load(std::memory_order_relaxed);
  fmt::format_to(std::back_inserter(out), "{}_bucket{{le=\"+Inf\"}} {}\n{}_sum {}\n{}_count {}\n", name, cumulative,
                 name, static_cast<double>(h.sum_us.load(std::memory_order_relaxed)) / 1e6, name, cumulative);
}

}  // namespace

std::string monitor_metrics::render(const metrics_extras& extras) const {
  std::string out;
  out.reserve(256 + count_ * 900);
  const auto labels = [](const endpoint_series& s) {
    return fmt::format("endpoint=\"{}\",group=\"{}\"", escape_label_value(s.name), escape_label_value(s.group));
  };
  out += "# HELP serentak_monitor_endpoint_state The endpoint's health state (1 for the state it is in).\n"
         "# TYPE serentak_monitor_endpoint_state gauge\n";
  for (std::size_t i = 0; i < count_; ++i) {
    const std::string l = labels(series_[i]);
    const int state = series_[i].state.load(std::memory_order_relaxed);
    for (health h : {health::unknown, health::up, health::degraded, health::down}) {
      fmt::format_to(std::back_inserter(out), "serentak_monitor_endpoint_state{{{},state=\"{}\"}} {}\n", l,
                     to_string(h), static_cast<int>(h) == state ? 1 : 0);
    }
  }
  out += "# HELP serentak_monitor_checks_total Checks judged, by outcome.\n"
         "# TYPE serentak_monitor_checks_total counter\n";
  for (std::size_t i = 0; i < count_; ++i) {
    const std::string l = labels(series_[i]);
    for (outcome kind : all_outcomes) {
      fmt::format_to(std::back_inserter(out), "serentak_monitor_checks_total{{{},outcome=\"{}\"}} {}\n", l,
                     to_string(kind),
                     series_[i].by_outcome[static_cast<std::size_t>(kind)].load(std::memory_order_relaxed));
    }
  }
  out += "# HELP serentak_monitor_check_failures_total Checks whose conditions (or outcome) did not pass.\n"
         "# TYPE serentak_monitor_check_failures_total counter\n";
  for (std::size_t i = 0; i < count_; ++i) {
    fmt::format_to(std::back_inserter(out), "serentak_monitor_check_failures_total{{{}}} {}\n", labels(series_[i]),
                   series_[i].failed.load(std::memory_order_relaxed));
  }
  out += "# HELP serentak_monitor_last_check_duration_seconds The last check's response time.\n"
         "# TYPE serentak_monitor_last_check_duration_seconds gauge\n";
  for (std::size_t i = 0; i < count_; ++i) {
    const std::int64_t us = series_[i].last_duration_us.load(std::memory_order_relaxed);
    if (us < 0) continue;  // not checked yet: no sample rather than a made-up 0
    fmt::format_to(std::back_inserter(out), "serentak_monitor_last_check_duration_seconds{{{}}} {}\n",
                   labels(series_[i]), static_cast<double>(us) / 1e6);
  }
  render_histogram(out, "serentak_monitor_check_duration_seconds", "Response time of every check.", duration_,
                   duration_bounds);
  render_histogram(out, "serentak_monitor_schedule_lag_seconds", "How late each check started (start - due).", lag_,
                   lag_bounds);
  fmt::format_to(std::back_inserter(out),
                 "# HELP serentak_monitor_skipped_ticks_total Ticks skipped: busy (the previous check still ran) "
                 "or late (overtaken while the schedule was behind).\n"
                 "# TYPE serentak_monitor_skipped_ticks_total counter\n"
                 "serentak_monitor_skipped_ticks_total{{reason=\"busy\"}} {}\n"
                 "serentak_monitor_skipped_ticks_total{{reason=\"late\"}} {}\n"
                 "# HELP serentak_monitor_alert_queue_depth Alerts waiting to be sent.\n"
                 "# TYPE serentak_monitor_alert_queue_depth gauge\n"
                 "serentak_monitor_alert_queue_depth {}\n"
                 "# HELP serentak_monitor_alerts_total Alerts by what came of them.\n"
                 "# TYPE serentak_monitor_alerts_total counter\n"
                 "serentak_monitor_alerts_total{{result=\"sent\"}} {}\n"
                 "serentak_monitor_alerts_total{{result=\"failed\"}} {}\n"
                 "serentak_monitor_alerts_total{{result=\"dropped\"}} {}\n",
                 extras.skipped_busy, extras.skipped_late, extras.alert_queue_depth, extras.alerts_sent,
                 extras.alerts_failed, extras.alerts_dropped);
  return out;
}

}  // namespace serentak::monitor
