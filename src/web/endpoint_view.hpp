#pragma once
// What the dashboard shows of one endpoint, kept in memory and updated by each check: its state,
// the last message and latency, a ring of recent latencies for the sparkline, the failing
// conditions with the values seen, the last state changes and its uptime tallies. A plain value
// owned by dashboard_state (which locks it); to_json() is the API's and the event stream's shape.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "client/outputs/item_sink.hpp"
#include "monitor/check_observer.hpp"
#include "monitor/health_state.hpp"
#include "web/uptime_tally.hpp"

namespace serentak::web {

using wall_time = std::chrono::system_clock::time_point;

inline constexpr std::size_t sparkline_points = 60;  // latencies kept per endpoint
inline constexpr std::size_t changes_kept = 10;      // state changes kept per endpoint

struct state_change {
  wall_time at{};
  monitor::health from = monitor::health::unknown;
  monitor::health to = monitor::health::unknown;
};

struct endpoint_view {
  std::string name;
  std::string group;
  monitor::health state = monitor::health::unknown;
  std::string message;                              // the last check: "200 ok in 3.1 ms" or what failed
  double latency_ms = -1;                           // the last check's response time; < 0: no check yet
  std::array<float, sparkline_points> latencies{};  // a ring: the newest at (next_latency - 1)
  std::size_t latency_count = 0;                    // how many of latencies are filled
  std::size_t next_latency = 0;
  nlohmann::json failing = nlohmann::json::array();  // [{"condition": ..., "seen": ...}] of the last check
  std::vector<state_change> changes;                 // oldest first, at most changes_kept
  uptime_tally uptime;
  std::uint64_t checks = 0;  // checks seen since the monitor started
  wall_time last_check{};    // epoch: none yet
  // A theme run's item: the scalar fields of its last parsed body ({"status": "Baking", ...}), for
  // the views that show them (pizza board, weather tiles). A monitor's endpoints: always {}.
  nlohmann::json fields = nlohmann::json::object();

  // Folds one judged check in.
  void apply(const monitor::check_update& update);
  // Folds one finished item of a theme run in (--every --web): ok is up, anything else down.
  void apply_item(const client::item_report& report, wall_time now);
  // {"name", "group", "state", "message", "latency_ms", "sparkline", "uptime": {"24h", "7d", "30d"},
  //  "failing", "changes": [{"at_ms", "from", "to"}], "checks", "last_check_ms", "fields"}; uptimes
  //  are shares (0-1) or null, read at now.
  nlohmann::json to_json(wall_time now) const;
};

// Serialises j as one line of UTF-8; server text that is not valid UTF-8 becomes U+FFFD instead
// of throwing.
std::string dump_json(const nlohmann::json& j);

}  // namespace serentak::web
