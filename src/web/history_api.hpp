#pragma once
// /api/v1/endpoints/NAME/history?since=DURATION: an endpoint's checks from the history database,
// as JSON. It reads through a connection of its own (SQLite WAL: readers never block the writer),
// one request at a time under mutex_; the overview never comes here (dashboard_state answers it).

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "monitor/history_store.hpp"

namespace serentak::web {

inline constexpr std::size_t history_rows_max = 10000;  // rows per answer, oldest first

class history_api {
 public:
  // Opens db_path (throws monitor::history_error).
  explicit history_api(const std::string& db_path);

  // {"endpoint", "since_ms", "checks": [{"started_ms", "due_ms", "duration_ms", "status", "outcome",
  //  "passed", "failing"}], "truncated"}. The caller has checked that the endpoint exists.
  std::string checks_json(std::string_view endpoint, std::chrono::milliseconds since);

 private:
  std::mutex mutex_;  // guards store_ (one SQLite connection, not thread-safe)
  std::unique_ptr<monitor::history_store> store_;
};

}  // namespace serentak::web
