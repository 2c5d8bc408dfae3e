#pragma once
// What an alert says and whether it goes out: the event of a health change, rendered into a
// webhook body from the endpoint's template (values JSON-escaped, so a server's text cannot break
// or forge the JSON) or into the JSON an exec alert reads on stdin; and the gate that applies
// send-on-resolved and the minimum re-alert interval. No I/O (sending is alert_sender's job).
// Pure functions; an alert_gate is a plain value owned by the alert's sender.

#include <optional>
#include <string>

#include "monitor/health_state.hpp"
#include "monitor/history_store.hpp"
#include "monitor/monitor_config.hpp"

namespace serentak::monitor {

struct alert_event {
  std::string endpoint;
  std::string group;
  std::string url;  // shown as configured; redact credentials before building the event
  health from = health::unknown;
  health to = health::unknown;
  std::string failed_conditions;  // readable: "[STATUS] (503) == 200; [BODY].status (error) == ok"
  wall_time at{};

  // A change to down or degraded triggers; a change back to up from down or degraded resolves;
  // unknown -> up (the first check) is neither.
  bool triggered() const noexcept;
  bool resolved() const noexcept;
};

// The webhook body: the template with its [PLACEHOLDERS] replaced by JSON-string-escaped values,
// or, without a template, {"endpoint": ..., "group": ..., "url": ..., "state": ..., "previous_state": ...,
// "event": "TRIGGERED"|"RESOLVED", "failed_conditions": ..., "at": "2026-12-05T08:00:00Z"}.
std::string render_webhook_body(const alert_config& alert, const alert_event& event);
// The JSON an exec alert reads on stdin: the default body above.
std::string alert_json(const alert_event& event);

// Decides, per endpoint and alert, whether an event is sent: resolved events only with
// send-on-resolved and only after a sent trigger; triggers no closer than min-realert apart.
struct alert_gate {
  std::optional<wall_time> last_sent;
  bool trigger_sent = false;  // a trigger went out and has not been resolved yet

  bool should_send(const alert_config& alert, const alert_event& event);  // records the send when true
};

}  // namespace serentak::monitor
