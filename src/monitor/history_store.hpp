#pragma once
// The monitor's history in one SQLite file (WAL): every check, each endpoint's health state (so
// streaks survive a restart), and hourly roll-ups (count, failures, p50/p95/p99 from a histogram
// that merges exactly into days). A user can read it with the sqlite3 shell.
// One connection; not thread-safe: owned by history_writer's thread, or by one test or command.
// Methods throw history_error on a SQLite failure (the writer catches and counts them).

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "monitor/health_state.hpp"
#include "monitor/sparse_histogram.hpp"

struct sqlite3;

namespace serentak::monitor {

class history_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using wall_time = std::chrono::system_clock::time_point;

// One check as the history keeps it. Times are wall-clock (steady time means nothing after a restart).
struct check_record {
  std::string endpoint;
  wall_time due{};                        // when the schedule wanted it
  wall_time started{};                    // when it started (lag = started - due)
  std::chrono::microseconds duration{0};  // response time
  long status = 0;                        // HTTP status, 0 without a response
  std::string outcome;                    // the outcome taxonomy's name (ok, timeout, ...)
  bool passed = false;                    // all conditions passed (or outcome ok without conditions)
  std::string failed_conditions = "[]";   // JSON array of {"condition", "seen"}

  bool operator==(const check_record&) const = default;
};

struct rollup_row {
  std::string endpoint;
  wall_time hour{};  // start of the hour (UTC)
  std::uint64_t count = 0;
  std::uint64_t failures = 0;
  std::uint64_t p50_us = 0, p95_us = 0, p99_us = 0;
  sparse_histogram latency;  // merge hours into days with merge()
};

// One endpoint's pass/fail counts for one hour: what the dashboard's uptime windows need, without
// the latency histogram.
struct hour_tally {
  std::string endpoint;
  wall_time hour{};  // start of the hour (UTC)
  std::uint64_t count = 0;
  std::uint64_t failures = 0;
};

class history_store {
 public:
  // Opens (creating if needed) the database at path, in WAL mode, schema in place.
  explicit history_store(const std::string& path);
  ~history_store();
  history_store(const history_store&) = delete;
  history_store& operator=(const history_store&) = delete;

  // Writes records and states in one transaction: all of them are durable when it returns
  // (WAL with synchronous=NORMAL survives a killed process; a power cut may lose the last commits).
  void write(std::span<const check_record> records, std::span<const std::pair<std::string, health_state>> states = {});

  std::map<std::string, health_state> load_states();
  // An endpoint's checks started at or after since, oldest first, at most limit.
  std::vector<check_record> checks(std::string_view endpoint, wall_time since, std::size_t limit = 100000);
  std::uint64_t count_checks();

  // Rolls up [hour, hour + 1h) from the checks table, replacing any earlier roll-up of that hour.
  void roll_up(wall_time hour);
  // Rolls up every hour in [since, now's hour) that has checks but no roll-up yet; returns how many.
  // since bounds the scan (the writer passes the last hour it maintained).
  std::size_t roll_up_closed_hours(wall_time now, wall_time since = wall_time{});
  std::vector<rollup_row> rollups(std::string_view endpoint, wall_time since);
  // Every endpoint's tallies in one query each (no histogram decoded), for a start-up that needs them
  // all: the roll-ups of the hours from since's hour up to (not including) before, and the checks
  // started from before on, counted per endpoint as one tally at before.
  std::vector<hour_tally> rollup_tallies(wall_time since, wall_time before);
  std::vector<hour_tally> check_tallies(wall_time since);

  // Deletes checks started before now - keep_checks and roll-ups of hours before now - keep_rollups.
  // Returns the number of checks deleted.
  std::uint64_t apply_retention(wall_time now, std::chrono::milliseconds keep_checks,
                                std::chrono::milliseconds keep_rollups);

  const std::string& path() const noexcept { return path_; }

 private:
  void exec(const char* sql);
  std::string path_;
  sqlite3* db_ = nullptr;
};

// The start of the UTC hour holding t.
wall_time hour_of(wall_time t) noexcept;

}  // namespace serentak::monitor
