#include "web/endpoint_view.hpp"

#include <fmt/format.h>

#include "core/log_text.hpp"

namespace serentak::web {
namespace {

std::int64_t ms_since_epoch(wall_time t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

nlohmann::json share_or_null(const std::optional<double>& share) {
  return share ? nlohmann::json(*share) : nlohmann::json(nullptr);
}

// The failed conditions of a history record, condition and value seen only.
nlohmann::json failing_of(const std::string& failed_conditions) {
  nlohmann::json out = nlohmann::json::array();
  const nlohmann::json parsed = nlohmann::json::parse(failed_conditions, nullptr, false);
  if (!parsed.is_array()) return out;
  for (const nlohmann::json& f : parsed) {
    if (!f.is_object()) continue;
    out.push_back({{"condition", f.value("condition", "")}, {"seen", f.value("seen", "")}});
  }
  return out;
}

constexpr std::size_t fields_kept = 12;         // a body's first scalar fields, enough for any view
constexpr std::size_t field_chars_kept = 200;   // each string field cut to this many characters
constexpr std::size_t message_chars_max = 500;  // a theme run's message (the seed's are under 120)

// The top-level scalars of a parsed body, bounded: a large or hostile body costs the picture little.
nlohmann::json fields_of(const nlohmann::json* data) {
  nlohmann::json out = nlohmann::json::object();
  if (data == nullptr || !data->is_object()) return out;
  for (auto it = data->begin(); it != data->end() && out.size() < fields_kept; ++it) {
    const nlohmann::json& v = it.value();
    if (v.is_string()) {
      out[utf8_prefix(it.key(), field_chars_kept)] = utf8_prefix(v.get_ref<const std::string&>(), field_chars_kept);
    } else if (v.is_number() || v.is_boolean()) {
      out[utf8_prefix(it.key(), field_chars_kept)] = v;
    }
  }
  return out;
}

}  // namespace

void endpoint_view::apply_item(const client::item_report& report, wall_time now) {
  const double ms = static_cast<double>(report.latency.count()) / 1000.0;
  latency_ms = ms;
  latencies[next_latency] = static_cast<float>(ms);
  next_latency = (next_latency + 1) % sparkline_points;
  if (latency_count < sparkline_points) ++latency_count;
  // A message can carry a long item or URL: bounded, so 10,000 endpoints keep a snapshot of a few MB.
  message = std::string(utf8_prefix(report.message, message_chars_max));
  fields = fields_of(report.data);
  const monitor::health next = report.kind == outcome::ok ? monitor::health::up : monitor::health::down;
  if (next != state) {
    if (changes.size() == changes_kept) changes.erase(changes.begin());
    changes.push_back({now, state, next});
  }
  state = next;
  uptime.add(now, 1, report.kind == outcome::ok ? 0 : 1);
  ++checks;
  last_check = now;
}

void endpoint_view::apply(const monitor::check_update& update) {
  const monitor::check_record& r = update.record;
  const double ms = static_cast<double>(r.duration.count()) / 1000.0;
  latency_ms = ms;
  latencies[next_latency] = static_cast<float>(ms);
  next_latency = (next_latency + 1) % sparkline_points;
  if (latency_count < sparkline_points) ++latency_count;
  message = update.failure.empty() ? fmt::format("{} {} in {:.1f} ms", r.status, r.outcome, ms) : update.failure;
  failing = failing_of(r.failed_conditions);
  if (update.decision.what == monitor::health_decision::action::changed) {
    if (changes.size() == changes_kept) changes.erase(changes.begin());
    changes.push_back({r.started, update.decision.from, update.decision.to});
  }
  state = update.state.state;
  uptime.add(r.started, 1, r.passed ? 0 : 1);
  ++checks;
  last_check = r.started;
}

nlohmann::json endpoint_view::to_json(wall_time now) const {
  nlohmann::json spark = nlohmann::json::array();
  for (std::size_t i = 0; i < latency_count; ++i) {
    const std::size_t at = (next_latency + sparkline_points - latency_count + i) % sparkline_points;
    spark.push_back(static_cast<double>(latencies[at]));
  }
  nlohmann::json change_list = nlohmann::json::array();
  for (const state_change& c : changes) {
    change_list.push_back(
        {{"at_ms", ms_since_epoch(c.at)}, {"from", monitor::to_string(c.from)}, {"to", monitor::to_string(c.to)}});
  }
  return {{"name", name},
          {"group", group},
          {"state", monitor::to_string(state)},
          {"message", message},
          {"latency_ms", latency_ms < 0 ? nlohmann::json(nullptr) : nlohmann::json(latency_ms)},
          {"sparkline", std::move(spark)},
          {"uptime",
           {{"24h", share_or_null(uptime.over_hours(now, 24))},
            {"7d", share_or_null(uptime.over_days(now, 7))},
            {"30d", share_or_null(uptime.over_days(now, 30))}}},
          {"failing", failing},
          {"changes", std::move(change_list)},
          {"checks", checks},
          {"last_check_ms", checks == 0 ? nlohmann::json(nullptr) : nlohmann::json(ms_since_epoch(last_check))},
          {"fields", fields}};
}

std::string dump_json(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace serentak::web
