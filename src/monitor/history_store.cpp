#include "monitor/history_store.hpp"

#include <sqlite3.h>

#include <algorithm>

#include <fmt/format.h>

namespace serentak::monitor {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

std::int64_t to_ms(wall_time t) { return duration_cast<milliseconds>(t.time_since_epoch()).count(); }
wall_time from_ms(std::int64_t ms) { return wall_time{duration_cast<wall_time::duration>(milliseconds{ms})}; }

constexpr const char* schema = R"sql(
CREATE TABLE IF NOT EXISTS checks (
  id INTEGER PRIMARY KEY,
  endpoint TEXT NOT NULL,
  due_ms INTEGER NOT NULL,            -- wall clock, ms since the Unix epoch
  started_ms INTEGER NOT NULL,
  duration_us INTEGER NOT NULL,
  status INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  passed INTEGER NOT NULL,
  failed_conditions TEXT NOT NULL     -- JSON array of {"condition", "seen"}
);
CREATE INDEX IF NOT EXISTS checks_by_endpoint ON checks (endpoint, started_ms);
CREATE INDEX IF NOT EXISTS checks_by_time ON checks (started_ms);
CREATE TABLE IF NOT EXISTS states (
  endpoint TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  failure_streak INTEGER NOT NULL,
  success_streak INTEGER NOT NULL,
  pass_streak INTEGER NOT NULL,
  degraded_streak INTEGER NOT NULL,
  last_change_ms INTEGER NOT NULL,
  checks INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS rollups (
  endpoint TEXT NOT NULL,
  hour_ms INTEGER NOT NULL,
  count INTEGER NOT NULL,
  failures INTEGER NOT NULL,
  p50_us INTEGER NOT NULL,
  p95_us INTEGER NOT NULL,
  p99_us INTEGER NOT NULL,
  histogram BLOB NOT NULL,           -- monitor/sparse_histogram blob: merges exactly
  PRIMARY KEY (endpoint, hour_ms)
);
PRAGMA user_version = 1;
)sql";

// A prepared statement, finalised on scope exit.
class statement {
 public:
  statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) fail("prepare");
  }
  ~statement() { sqlite3_finalize(stmt_); }
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  statement& bind(int i, std::int64_t v) { return check(sqlite3_bind_int64(stmt_, i, v)); }
  statement& bind(int i, std::string_view v) {
    return check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
  }
  statement& bind_blob(int i, std::string_view v) {
    return check(sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
  }
  // true while a row is available.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail("step");
  }
  void run() {
    while (step()) {
    }
    reset();
  }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::string text(int col) const {
    const auto* p = sqlite3_column_blob(stmt_, col);  // works for TEXT and BLOB, keeps NUL bytes
    return p ? std::string(static_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }

 private:
  statement& check(int rc) {
    if (rc != SQLITE_OK) fail("bind");
    return *this;
  }
  [[noreturn]] void fail(const char* what) const {
    throw history_error(fmt::format("history: {} failed: {}", what, sqlite3_errmsg(db_)));
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace

wall_time hour_of(wall_time t) noexcept { return from_ms(to_ms(t) - (to_ms(t) % 3'600'000 + 3'600'000) % 3'600'000); }

history_store::history_store(const std::string& path) : path_(path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw history_error(fmt::format("history: cannot open {}: {}", path, why));
  }
  sqlite3_busy_timeout(db_, 5000);  // a reader (the sqlite3 shell) may hold a lock briefly
  try {
    exec("PRAGMA journal_mode = WAL;");
    exec("PRAGMA synchronous = NORMAL;");
    exec(schema);
  } catch (...) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

history_store::~history_store() { sqlite3_close(db_); }

void history_store::exec(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string why = message ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    throw history_error(fmt::format("history: {}", why));
  }
}

void history_store::write(std::span<const check_record> records,
                          std::span<const std::pair<std::string, health_state>> states) {
  exec("BEGIN IMMEDIATE;");
  try {
    statement insert(db_,
                     "INSERT INTO checks (endpoint, due_ms, started_ms, duration_us, status, outcome, passed, "
                     "failed_conditions) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    for (const auto& r : records) {
      insert.bind(1, r.endpoint).bind(2, to_ms(r.due)).bind(3, to_ms(r.started)).bind(4, r.duration.count());
      insert.bind(5, static_cast<std::int64_t>(r.status)).bind(6, r.outcome).bind(7, r.passed ? 1 : 0);
      insert.bind(8, r.failed_conditions).run();
    }
    statement upsert(db_,
                     "INSERT OR REPLACE INTO states (endpoint, state, failure_streak, success_streak, pass_streak, "
                     "degraded_streak, last_change_ms, checks) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    for (const auto& [endpoint, s] : states) {
      upsert.bind(1, endpoint).bind(2, to_string(s.state)).bind(3, s.failure_streak).bind(4, s.success_streak);
      upsert.bind(5, s.pass_streak).bind(6, s.degraded_streak).bind(7, to_ms(s.last_change));
      upsert.bind(8, static_cast<std::int64_t>(s.checks)).run();
    }
    exec("COMMIT;");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK;", nullptr, nullptr, nullptr);
    throw;
  }
}

std::map<std::string, health_state> history_store::load_states() {
  std::map<std::string, health_state> out;
  statement q(db_,
              "SELECT endpoint, state, failure_streak, success_streak, pass_streak, degraded_streak, last_change_ms, "
              "checks FROM states");
  while (q.step()) {
    health_state s;
    s.state = health_from_string(q.text(1)).value_or(health::unknown);
    s.failure_streak = static_cast<int>(q.integer(2));
    s.success_streak = static_cast<int>(q.integer(3));
    s.pass_streak = static_cast<int>(q.integer(4));
    s.degraded_streak = static_cast<int>(q.integer(5));
    s.last_change = from_ms(q.integer(6));
    s.checks = static_cast<std::uint64_t>(q.integer(7));
    out.emplace(q.text(0), s);
  }
  return out;
}

std::vector<check_record> history_store::checks(std::string_view endpoint, wall_time since, std::size_t limit) {
  std::vector<check_record> out;
  statement q(
      db_,
      "SELECT endpoint, due_ms, started_ms, duration_us, status, outcome, passed, failed_conditions FROM checks "
      "WHERE endpoint = ?1 AND started_ms >= ?2 ORDER BY started_ms, id LIMIT ?3");
  q.bind(1, endpoint).bind(2, to_ms(since)).bind(3, static_cast<std::int64_t>(limit));
  while (q.step()) {
    check_record r;
    r.endpoint = q.text(0);
    r.due = from_ms(q.integer(1));
    r.started = from_ms(q.integer(2));
    r.duration = std::chrono::microseconds{q.integer(3)};
    r.status = static_cast<long>(q.integer(4));
    r.outcome = q.text(5);
    r.passed = q.integer(6) != 0;
    r.failed_conditions = q.text(7);
    out.push_back(std::move(r));
  }
  return out;
}

std::uint64_t history_store::count_checks() {
  statement q(db_, "SELECT count(*) FROM checks");
  q.step();
  return static_cast<std::uint64_t>(q.integer(0));
}

void history_store::roll_up(wall_time hour) {
  const std::int64_t from = to_ms(hour_of(hour));
  exec("BEGIN IMMEDIATE;");
  try {
    statement q(db_,
                "SELECT endpoint, duration_us, passed FROM checks WHERE started_ms >= ?1 AND started_ms < ?2 "
                "ORDER BY endpoint");
    q.bind(1, from).bind(2, from + 3'600'000);
    statement put(db_,
                  "INSERT OR REPLACE INTO rollups (endpoint, hour_ms, count, failures, p50_us, p95_us, p99_us, "
                  "histogram) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    std::string current;
    sparse_histogram h;
    std::uint64_t failures = 0;
    auto emit = [&] {
      if (h.count() == 0) return;
      put.bind(1, current).bind(2, from).bind(3, static_cast<std::int64_t>(h.count()));
      put.bind(4, static_cast<std::int64_t>(failures)).bind(5, static_cast<std::int64_t>(h.percentile(0.50)));
      put.bind(6, static_cast<std::int64_t>(h.percentile(0.95))).bind(7, static_cast<std::int64_t>(h.percentile(0.99)));
      put.bind_blob(8, h.to_blob()).run();
    };
    while (q.step()) {
      std::string endpoint = q.text(0);
      if (endpoint != current) {
        emit();
        current = std::move(endpoint);
        h = sparse_histogram{};
        failures = 0;
      }
      h.record(static_cast<std::uint64_t>(std::max<std::int64_t>(0, q.integer(1))));
      if (q.integer(2) == 0) ++failures;
    }
    emit();
    exec("COMMIT;");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK;", nullptr, nullptr, nullptr);
    throw;
  }
}

std::size_t history_store::roll_up_closed_hours(wall_time now, wall_time since) {
  std::vector<std::int64_t> hours;
  {
    statement q(db_,
                "SELECT DISTINCT (started_ms / 3600000) * 3600000 AS h FROM checks WHERE started_ms < ?1 "
                "AND started_ms >= ?2 AND h NOT IN (SELECT hour_ms FROM rollups) ORDER BY h");
    q.bind(1, to_ms(hour_of(now))).bind(2, std::max<std::int64_t>(0, to_ms(hour_of(since))));
    while (q.step()) hours.push_back(q.integer(0));
  }
  for (auto h : hours) roll_up(from_ms(h));
  return hours.size();
}

std::vector<rollup_row> history_store::rollups(std::string_view endpoint, wall_time since) {
  std::vector<rollup_row> out;
  statement q(db_,
              "SELECT endpoint, hour_ms, count, failures, p50_us, p95_us, p99_us, histogram FROM rollups "
              "WHERE endpoint = ?1 AND hour_ms >= ?2 ORDER BY hour_ms");
  q.bind(1, endpoint).bind(2, to_ms(hour_of(since)));
  while (q.step()) {
    rollup_row r;
    r.endpoint = q.text(0);
    r.hour = from_ms(q.integer(1));
    r.count = static_cast<std::uint64_t>(q.integer(2));
    r.failures = static_cast<std::uint64_t>(q.integer(3));
    r.p50_us = static_cast<std::uint64_t>(q.integer(4));
    r.p95_us = static_cast<std::uint64_t>(q.integer(5));
    r.p99_us = static_cast<std::uint64_t>(q.integer(6));
    r.latency = sparse_histogram::from_blob(q.text(7)).value_or(sparse_histogram{});
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<hour_tally> history_store::rollup_tallies(wall_time since, wall_time before) {
  std::vector<hour_tally> out;
  statement q(db_, "SELECT endpoint, hour_ms, count, failures FROM rollups WHERE hour_ms >= ?1 AND hour_ms < ?2");
  q.bind(1, to_ms(hour_of(since))).bind(2, to_ms(before));
  while (q.step()) {
    hour_tally t;
    t.endpoint = q.text(0);
    t.hour = from_ms(q.integer(1));
    t.count = static_cast<std::uint64_t>(q.integer(2));
    t.failures = static_cast<std::uint64_t>(q.integer(3));
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<hour_tally> history_store::check_tallies(wall_time since) {
  std::vector<hour_tally> out;
  statement q(db_,
              "SELECT endpoint, count(*), sum(passed = 0) FROM checks WHERE started_ms >= ?1 GROUP BY endpoint");
  q.bind(1, to_ms(since));
  while (q.step()) {
    hour_tally t;
    t.endpoint = q.text(0);
    t.hour = since;
    t.count = static_cast<std::uint64_t>(q.integer(1));
    t.failures = static_cast<std::uint64_t>(q.integer(2));
    out.push_back(std::move(t));
  }
  return out;
}

std::uint64_t history_store::apply_retention(wall_time now, std::chrono::milliseconds keep_checks,
                                             std::chrono::milliseconds keep_rollups) {
  statement del(db_, "DELETE FROM checks WHERE started_ms < ?1");
  del.bind(1, to_ms(now) - keep_checks.count()).run();
  const auto deleted = static_cast<std::uint64_t>(sqlite3_changes(db_));
  statement del_rollups(db_, "DELETE FROM rollups WHERE hour_ms < ?1");
  del_rollups.bind(1, to_ms(now) - keep_rollups.count()).run();
  return deleted;
}

}  // namespace serentak::monitor
