#pragma once
// A monitor file, loaded and checked: the endpoints with everything a check, its conditions, its
// schedule, its health policy and its alerts need. Plain values built once by load_monitor_file();
// read-only afterwards, so any thread may read them.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "monitor/condition.hpp"
#include "monitor/health_state.hpp"
#include "monitor/schedule_plan.hpp"

namespace serentak::monitor {

// Where something was written: 1-based line and column in the monitor file.
struct file_position {
  int line = 0;
  int column = 0;
};

struct alert_config {
  enum class kind { webhook, exec };
  kind type = kind::webhook;
  std::string url;                   // webhook: http:// or https:// receiver
  std::string body_template;         // webhook: JSON body with [ENDPOINT_NAME]-style placeholders; empty: default
  std::vector<std::string> command;  // exec: argv, run without a shell; the alert JSON on stdin
  std::chrono::milliseconds timeout{std::chrono::seconds{10}};  // per webhook request or exec run
  bool send_on_resolved = true;                                 // also alert when the endpoint comes back up
  std::chrono::milliseconds min_realert{0};  // at least this long between two alerts of this endpoint; 0: no limit
  file_position where;
};

struct endpoint_config {
  std::string name;   // unique in the file
  std::string group;  // optional, for grouping in outputs
  std::string url;    // http:// or https://
  std::string method = "GET";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;                                              // request body; empty: none
  std::string ca_file;   // https: a PEM bundle to verify the server against; empty: the system's
  bool insecure = false; // https: verify neither certificate nor name (the certificate is still read)
  int retries = 0;       // extra attempts after a timeout, connection error, 408/429/5xx (client backoff); 0-10
  std::chrono::milliseconds interval{std::chrono::seconds{60}};  // >= 100ms
  std::chrono::milliseconds timeout{std::chrono::seconds{10}};   // per check
  std::chrono::milliseconds jitter{0};                           // extra random delay per tick, <= interval / 2
  std::vector<condition> conditions;                             // empty: the outcome taxonomy decides (ok is up)
  health_policy policy;                                          // failure-threshold, success-threshold, confirm
  std::vector<alert_config> alerts;
  file_position where;  // the endpoint's entry in the file

  // Fixed rate with a phase from a hash of the name (stable across reloads and restarts) and the
  // jitter seeded by the name.
  schedule_plan plan() const;
};

struct monitor_config {
  std::string file;  // the path it was loaded from
  std::vector<endpoint_config> endpoints;
};

// One problem in a monitor file: "services.yaml:12:7: unknown key 'intervall' in endpoint ..."
struct monitor_file_error {
  std::string file;
  file_position where;
  std::string message;
  std::string render() const;
};

struct monitor_file_result {
  monitor_config config;                   // meaningful only when errors is empty
  std::vector<monitor_file_error> errors;  // every problem found, in file order
  bool ok() const noexcept { return errors.empty(); }
};

// A monitor file bigger than this is a wrong path (/dev/zero), not endpoints: 16 MiB holds ~80,000.
inline constexpr std::size_t max_monitor_file_bytes = 16 * 1024 * 1024;

// Reads and checks the whole file (YAML; JSON is YAML flow style and reads the same). A file that
// cannot be read, is a directory or is over max_monitor_file_bytes is one error about the whole file;
// `stopped` is asked every 100 ms while a FIFO has nothing to read (core/bounded_file.hpp).
monitor_file_result load_monitor_file(const std::string& path, const std::function<bool()>& stopped = {});
// The same from text; name is used in errors.
monitor_file_result parse_monitor_text(std::string_view text, std::string_view name);

// The placeholders a webhook body template may use.
inline constexpr std::string_view alert_placeholders[] = {"[ENDPOINT_NAME]",
                                                          "[ENDPOINT_GROUP]",
                                                          "[ENDPOINT_URL]",
                                                          "[STATE]",
                                                          "[PREVIOUS_STATE]",
                                                          "[FAILED_CONDITIONS]",
                                                          "[ALERT_TRIGGERED_OR_RESOLVED]"};

}  // namespace serentak::monitor
