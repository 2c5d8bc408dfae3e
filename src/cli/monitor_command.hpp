#pragma once
// `serentak monitor FILE`: runs a monitor file's checks until SIGINT or SIGTERM, keeping the
// history in SQLite (docs/monitor.md); `serentak monitor history NAME --db FILE` prints one
// endpoint's checks. CLI code only fills monitor_options; the loop is monitor::monitor_runner.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/web_choice.hpp"

namespace serentak::cli {

struct monitor_options {
  std::string file;                  // the monitor file (YAML or JSON)
  std::string db_path;               // --db; empty: FILE with its extension replaced by .db
  std::string keep = "7d";           // --keep: checks are kept this long
  std::string keep_rollups = "90d";  // --keep-rollups: hourly roll-ups are kept this long
  std::size_t concurrency = 0;       // -c: checks in flight per request group; 0: one per endpoint (at most 10,000)
  std::string log_dir;               // --log-dir; empty: FILE's folder. The log is DIR/<FILE's stem>.log
  bool no_log = false;               // --no-log
  std::uint64_t log_max_bytes = 100ull << 20;  // --log-max: the log is rotated before it passes this
  unsigned log_keep = 5;                       // --log-keep: rotated files kept (.1 newest)
  bool quiet = false;                // -q: no banner, no health changes on stderr
  web_flags web;                     // --web HOST:PORT, --web-token, --web-token-env (cli/web_choice.hpp)
  std::string lang = "en";           // --lang: the dashboard's labels, id or en
  std::string metrics;               // --metrics HOST:PORT: Prometheus text at /metrics; empty: none
  // history
  std::string name;          // the endpoint
  std::string since = "1h";  // --since: checks started at most this long ago
  bool json = false;         // --json: one JSON object per check
};

struct monitor_command {
  CLI::App* app = nullptr;
  CLI::App* history = nullptr;
  monitor_options options;
};

// Registers `monitor` and `monitor history`; the returned object must outlive parsing.
std::unique_ptr<monitor_command> add_monitor_command(CLI::App& root);
int run_monitor_command(const monitor_command& command);

// The history's default place: FILE with its extension replaced by .db ("services.yaml" -> "services.db").
std::string default_db_path(const std::string& file);

}  // namespace serentak::cli
