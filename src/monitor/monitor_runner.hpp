#pragma once
// `serentak monitor`'s loop: runs a loaded monitor file's checks on the client engine until
// stopped. It opens the history, restores each endpoint's health state from it (a down-streak
// survives a restart), groups the endpoints by request (request_group.hpp: one engine per group,
// each on its own thread with one worker), and on stop ends the engines, then flushes the history.
// Owned and run by one thread (the command's); the engines' threads are its own and joined by run().

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "log/event_log.hpp"
#include "monitor/check_observer.hpp"
#include "monitor/check_source.hpp"
#include "monitor/endpoint_monitor.hpp"
#include "monitor/history_writer.hpp"
#include "monitor/monitor_config.hpp"

namespace serentak::monitor {

struct monitor_runner_options {
  std::string db_path;                                                // the history (SQLite), created if missing
  std::chrono::milliseconds keep_checks{std::chrono::hours{24 * 7}};  // --keep: checks older are deleted
  std::chrono::milliseconds keep_rollups{
      std::chrono::hours{24 * 90}};          // --keep-rollups: hourly roll-ups older are deleted
  std::size_t concurrency = 0;               // checks in flight per group; 0: one per endpoint of the group
  std::size_t max_body_bytes = 1024 * 1024;  // response bytes kept for the conditions; more: invalid_response
  log::event_log* log = nullptr;             // one line per check and per change; null: none
  alert_hook on_alert;                       // called on each health change; empty: none
  check_hook on_check;                       // called after each judged check (the dashboard); empty: none
  const std::atomic<bool>* stop = nullptr;   // run() returns once it is set (or request_stop())
  // When the monitor began, before the file was read: every first check lands within one interval
  // of it (check_scheduler). Unset: when run() begins.
  std::optional<std::chrono::steady_clock::time_point> launched;
};

// How long a stop (options.stop) waits for the checks in flight to finish and be stored.
inline constexpr std::chrono::seconds drain_limit{1};

struct monitor_report {
  std::uint64_t checks = 0;          // checks finished and judged (re-checks included)
  std::uint64_t skipped_busy = 0;    // ticks skipped: the endpoint's previous check was still running
  std::uint64_t skipped_late = 0;    // ticks overtaken while the schedule was late
  std::uint64_t written = 0;         // check records committed to the history
  std::uint64_t dropped = 0;         // check records refused by a full history queue
  std::uint64_t failed_batches = 0;  // history transactions that failed three times
  std::string history_error;         // the history's last error; empty when none
  std::string engine_error;          // the first engine failure; empty when none
};

class monitor_runner {
 public:
  // config must outlive the runner. Opens the history and restores the states: throws
  // history_error when the database cannot be opened or read.
  monitor_runner(const monitor_config& config, monitor_runner_options options);
  ~monitor_runner();
  monitor_runner(const monitor_runner&) = delete;
  monitor_runner& operator=(const monitor_runner&) = delete;

  // Runs the checks until options.stop is set (SIGINT/SIGTERM) or request_stop() is called (a
  // reload). On options.stop no check starts any more and the checks in flight finish, are judged
  // and stored, for at most drain_limit; what is still in flight then, and everything in flight at
  // request_stop(), is cancelled (dropped, not judged). The engines stop within about 100 ms of
  // that, and all the history offered is written. Call once.
  monitor_report run();
  void request_stop() noexcept { stopping_.store(true); }

  // The schedule's counters so far (started, skipped busy and late), summed over the groups; zero
  // before run() and after it returns. Thread-safe (for --metrics, read while the checks run).
  source_counters counters() const;

  std::size_t restored() const noexcept { return restored_; }   // endpoints whose state came from the history
  std::size_t groups() const noexcept { return group_count_; }  // engines run.

 private:
  const monitor_config& config_;
  monitor_runner_options options_;
  std::vector<endpoint_monitor> monitors_;  // one per endpoint; each touched by its running check only
  std::unique_ptr<history_writer> history_;
  std::atomic<bool> stopping_{false};  // the engines' stop flag: set by request_stop(), or after the drain
  mutable std::mutex sources_mutex_;          // guards sources_
  std::vector<const check_source*> sources_;  // run()'s sources while it runs; empty otherwise
  std::size_t restored_ = 0;
  std::size_t group_count_ = 0;
};

}  // namespace serentak::monitor
