#include "monitor/alert_message.hpp"

#include <array>
#include <utility>

#include <nlohmann/json.hpp>

#include <ctime>

namespace serentak::monitor {
namespace {

// The text a JSON string would hold between its quotes.
std::string json_string_content(const std::string& value) {
  const std::string quoted = nlohmann::json(value).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return quoted.substr(1, quoted.size() - 2);
}

std::string iso_utc(wall_time t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

bool alert_event::triggered() const noexcept {
  return from != to && (to == health::down || to == health::degraded) &&
         !(from == health::down && to == health::degraded);  // down -> degraded is getting better
}

bool alert_event::resolved() const noexcept {
  return to == health::up && (from == health::down || from == health::degraded);
}

std::string alert_json(const alert_event& event) {
  nlohmann::ordered_json body{{"endpoint", event.endpoint},
                              {"group", event.group},
                              {"url", event.url},
                              {"state", std::string(to_string(event.to))},
                              {"previous_state", std::string(to_string(event.from))},
                              {"event", event.resolved() ? "RESOLVED" : "TRIGGERED"},
                              {"failed_conditions", event.failed_conditions},
                              {"at", iso_utc(event.at)}};
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string render_webhook_body(const alert_config& alert, const alert_event& event) {
  if (alert.body_template.empty()) return alert_json(event);
  const std::array<std::pair<std::string_view, std::string>, 7> values{{
      {"[ENDPOINT_NAME]", event.endpoint},
      {"[ENDPOINT_GROUP]", event.group},
      {"[ENDPOINT_URL]", event.url},
      {"[STATE]", std::string(to_string(event.to))},
      {"[PREVIOUS_STATE]", std::string(to_string(event.from))},
      {"[FAILED_CONDITIONS]", event.failed_conditions},
      {"[ALERT_TRIGGERED_OR_RESOLVED]", event.resolved() ? "RESOLVED" : "TRIGGERED"},
  }};
  const std::string& t = alert.body_template;
  std::string out;
  std::size_t i = 0;
  while (i < t.size()) {
    bool replaced = false;
    if (t[i] == '[') {
      for (const auto& [name, value] : values) {
        if (t.compare(i, name.size(), name) == 0) {
          out += json_string_content(value);  // one pass: a value is never scanned for placeholders
          i += name.size();
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) out += t[i++];
  }
  return out;
}

bool alert_gate::should_send(const alert_config& alert, const alert_event& event) {
  if (event.resolved()) {
    if (!alert.send_on_resolved || !trigger_sent) return false;
    trigger_sent = false;
    last_sent = event.at;
    return true;
  }
  if (!event.triggered()) return false;
  if (last_sent && alert.min_realert.count() > 0 && event.at - *last_sent < alert.min_realert) return false;
  trigger_sent = true;
  last_sent = event.at;
  return true;
}

}  // namespace serentak::monitor
