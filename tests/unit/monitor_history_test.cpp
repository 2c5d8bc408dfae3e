#include "monitor/history_store.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <tuple>

#include <fmt/format.h>

#include "core/latency_histogram.hpp"
#include "monitor/history_writer.hpp"
#include "support/test_paths.hpp"

namespace serentak::monitor {
namespace {

using namespace std::chrono_literals;

// 2026-12-05 00:00:00 UTC, an hour boundary.
const wall_time day{std::chrono::seconds{1796428800}};

check_record record(std::string endpoint, wall_time started, std::chrono::microseconds duration, bool passed) {
  check_record r;
  r.endpoint = std::move(endpoint);
  r.due = started - 2ms;
  r.started = started;
  r.duration = duration;
  r.status = passed ? 200 : 503;
  r.outcome = passed ? "ok" : "server_error";
  r.passed = passed;
  r.failed_conditions = passed ? "[]" : R"([{"condition":"[STATUS] == 200","seen":"503"}])";
  return r;
}

TEST(monitor_history, records_and_states_survive_close_and_reopen) {
  testing::scratch_dir dir;
  const std::string path = (dir.path() / "history.db").string();
  std::vector<check_record> written;
  for (int i = 0; i < 50; ++i)
    written.push_back(record("pizza-101", day + i * 1s, std::chrono::microseconds(1000 + i), i % 7 != 0));
  health_state s;
  s.state = health::degraded;
  s.failure_streak = 0;
  s.success_streak = 4;
  s.pass_streak = 1;
  s.degraded_streak = 2;
  s.last_change = day + 17s;
  s.checks = 123456789012ULL;
  health_state down;
  down.state = health::down;
  down.failure_streak = 2;
  down.last_change = day + 5min;
  {
    history_store store(path);
    std::vector<std::pair<std::string, health_state>> states{{"pizza-101", s}, {"weather-jakarta", down}};
    store.write(written, states);
  }
  history_store again(path);
  EXPECT_EQ(again.checks("pizza-101", day), written);
  EXPECT_EQ(again.checks("pizza-101", day + 45s).size(), 5u);
  EXPECT_TRUE(again.checks("nobody", day).empty());
  auto states = again.load_states();
  ASSERT_EQ(states.size(), 2u);
  EXPECT_EQ(states.at("pizza-101"), s);
  EXPECT_EQ(states.at("weather-jakarta"), down);
  // The latest state replaces the earlier one.
  s.state = health::up;
  again.write({}, std::vector<std::pair<std::string, health_state>>{{"pizza-101", s}});
  EXPECT_EQ(again.load_states().at("pizza-101").state, health::up);
}

TEST(monitor_history, the_file_is_in_wal_mode) {
  testing::scratch_dir dir;
  const std::string path = (dir.path() / "history.db").string();
  history_store store(path);
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &q, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(q), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(q, 0)), "wal");
  sqlite3_finalize(q);
  sqlite3_close(raw);
}

TEST(monitor_history, what_flush_reported_done_is_visible_to_another_connection) {
  testing::scratch_dir dir;
  const std::string path = (dir.path() / "history.db").string();
  history_writer writer(std::make_unique<history_store>(path), history_writer_options{100000, 500});
  auto produce = [&](int thread) {
    for (int i = 0; i < 5000; ++i) {
      EXPECT_TRUE(
          writer.offer(record(fmt::format("e{}-{}", thread, i % 10), day + std::chrono::milliseconds(i), 900us, true)));
    }
  };
  std::thread a(produce, 0), b(produce, 1);
  a.join();
  b.join();
  health_state s;
  s.state = health::down;
  s.failure_streak = 3;
  writer.offer_state("e0-1", s);
  writer.flush();
  EXPECT_EQ(writer.written(), 10000u);
  EXPECT_EQ(writer.dropped(), 0u);
  EXPECT_EQ(writer.failed_batches(), 0u) << writer.last_error();
  // A second connection, while the writer still runs: the committed rows are there.
  history_store reader(path);
  EXPECT_EQ(reader.count_checks(), 10000u);
  EXPECT_EQ(reader.load_states().at("e0-1"), s);
  EXPECT_EQ(reader.checks("e1-3", day).size(), 500u);
}

TEST(monitor_history, a_sigkill_loses_nothing_that_flush_reported_done) {
  testing::scratch_dir dir;
  const std::string path = (dir.path() / "history.db").string();
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child: write 3,000 records and a state, report them done, then keep writing until killed.
    close(ready[0]);
    history_writer writer(std::make_unique<history_store>(path), history_writer_options{100000, 256});
    for (int i = 0; i < 3000; ++i) writer.offer(record("weather-medan", day + std::chrono::milliseconds(i), 3ms, true));
    health_state s;
    s.state = health::down;
    s.failure_streak = 7;
    writer.offer_state("weather-medan", s);
    writer.flush();
    if (write(ready[1], "d", 1) != 1) _exit(3);
    // 1,000 more, reported too, then more until killed: the kill lands while batches are being written.
    for (int i = 0; i < 1000; ++i)
      writer.offer(record("weather-medan", day + 1h + std::chrono::milliseconds(i), 3ms, true));
    writer.flush();
    if (write(ready[1], "m", 1) != 1) _exit(3);
    for (int i = 1000; i < 2'000'000; ++i) {  // bounded: about 20 s at most if never killed
      writer.offer(record("weather-medan", day + 1h + std::chrono::milliseconds(i), 3ms, i % 2 == 0));
      if (i % 1000 == 0) usleep(10'000);
    }
    _exit(4);
  }
  close(ready[1]);
  char done[2] = {};
  ASSERT_EQ(read(ready[0], &done[0], 1), 1) << "the child never reported its records done";
  ASSERT_EQ(read(ready[0], &done[1], 1), 1);
  close(ready[0]);
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  history_store reader(path);
  const auto rows = reader.checks("weather-medan", day, 10'000'000);
  const auto reported =
      std::count_if(rows.begin(), rows.end(), [](const check_record& r) { return r.started < day + 1h; });
  EXPECT_EQ(reported, 3000) << "every record reported done is there";
  EXPECT_GE(rows.size(), 4000u) << "the second reported thousand too";
  auto states = reader.load_states();
  ASSERT_EQ(states.count("weather-medan"), 1u);
  EXPECT_EQ(states.at("weather-medan").failure_streak, 7);
}

TEST(monitor_history, a_full_queue_refuses_and_counts_instead_of_blocking_the_check) {
  testing::scratch_dir dir;
  const std::string path = (dir.path() / "history.db").string();
  auto store = std::make_unique<history_store>(path);  // opened (schema in place) before the lock
  // Another connection holds the write lock, so the writer's first batch waits (busy timeout 5 s).
  sqlite3* blocker = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &blocker), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(blocker, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  std::uint64_t accepted = 0, written = 0;
  {
    history_writer writer(std::move(store), history_writer_options{10, 1000});
    for (int i = 0; i < 200; ++i) {
      if (writer.offer(record("slow-disk", day + std::chrono::milliseconds(i), 1ms, true))) ++accepted;
    }
    // The queue (10) plus the one batch the writer took before it blocked (at most 10).
    EXPECT_GE(accepted, 10u);
    EXPECT_LE(accepted, 20u);
    EXPECT_EQ(writer.dropped(), 200u - accepted);
    ASSERT_EQ(sqlite3_exec(blocker, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
    writer.flush();
    EXPECT_LE(writer.written(), accepted);
    written = writer.written();
  }
  sqlite3_close(blocker);
  history_store reader(path);
  EXPECT_EQ(reader.count_checks(), written) << "what the writer counts as written is what the file holds";
}

TEST(monitor_history, hourly_rollups_from_merged_histograms) {
  testing::scratch_dir dir;
  history_store store((dir.path() / "history.db").string());
  std::vector<check_record> rs;
  // Hour 0: 1..1000 ms, every 10th failing; hour 1: 1001..2000 ms, none failing.
  for (int i = 1; i <= 1000; ++i) {
    rs.push_back(record("books", day + std::chrono::milliseconds(i * 3000), std::chrono::milliseconds(i), i % 10 != 0));
    rs.push_back(
        record("books", day + 1h + std::chrono::milliseconds(i * 3000), std::chrono::milliseconds(1000 + i), true));
  }
  store.write(rs);
  EXPECT_EQ(store.roll_up_closed_hours(day + 1h + 30min), 1u) << "only closed hours";
  EXPECT_EQ(store.roll_up_closed_hours(day + 2h + 1s), 1u);
  EXPECT_EQ(store.roll_up_closed_hours(day + 2h + 2s), 0u) << "already rolled up";
  auto rows = store.rollups("books", day);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].hour, day);
  EXPECT_EQ(rows[0].count, 1000u);
  EXPECT_EQ(rows[0].failures, 100u);
  EXPECT_NEAR(static_cast<double>(rows[0].p50_us), 500000.0, 500000.0 * 0.02);
  EXPECT_NEAR(static_cast<double>(rows[0].p95_us), 950000.0, 950000.0 * 0.02);
  EXPECT_NEAR(static_cast<double>(rows[0].p99_us), 990000.0, 990000.0 * 0.02);
  EXPECT_EQ(rows[1].failures, 0u);
  // Two hours merged: the percentiles of 1..2000 ms.
  sparse_histogram both = rows[0].latency;
  both.merge(rows[1].latency);
  EXPECT_EQ(both.count(), 2000u);
  EXPECT_NEAR(static_cast<double>(both.percentile(0.5)), 1000000.0, 1000000.0 * 0.02);
  EXPECT_NEAR(static_cast<double>(both.percentile(0.99)), 1980000.0, 1980000.0 * 0.02);
  EXPECT_EQ(both.percentile(1.0), 2000000u);
}

TEST(monitor_history, tallies_read_every_endpoints_closed_hours_and_current_checks_in_one_query_each) {
  testing::scratch_dir dir;
  history_store store((dir.path() / "history.db").string());
  std::vector<check_record> rs;
  // Three closed hours for "a" (one failure each) and one for "b"; the open hour: "a" 4 checks with
  // 1 failure, "b" 2 passing.
  for (int h = 0; h < 3; ++h) {
    for (int i = 0; i < 10; ++i) rs.push_back(record("a", day + h * 1h + i * 1min, 5ms, i != 0));
  }
  for (int i = 0; i < 5; ++i) rs.push_back(record("b", day + 2h + i * 1min, 5ms, true));
  for (int i = 0; i < 4; ++i) rs.push_back(record("a", day + 3h + i * 1min, 5ms, i != 3));
  for (int i = 0; i < 2; ++i) rs.push_back(record("b", day + 3h + i * 1min, 5ms, true));
  store.write(rs);
  store.roll_up_closed_hours(day + 3h + 10min);

  auto closed = store.rollup_tallies(day + 1h, day + 3h);  // hours 1 and 2 only
  std::sort(closed.begin(), closed.end(),
            [](const hour_tally& x, const hour_tally& y) { return std::tie(x.endpoint, x.hour) < std::tie(y.endpoint, y.hour); });
  ASSERT_EQ(closed.size(), 3u);
  EXPECT_EQ(closed[0].endpoint, "a");
  EXPECT_EQ(closed[0].hour, day + 1h);
  EXPECT_EQ(closed[0].count, 10u);
  EXPECT_EQ(closed[0].failures, 1u);
  EXPECT_EQ(closed[1].hour, day + 2h);
  EXPECT_EQ(closed[2].endpoint, "b");
  EXPECT_EQ(closed[2].count, 5u);
  EXPECT_EQ(closed[2].failures, 0u);

  auto current = store.check_tallies(day + 3h);
  std::sort(current.begin(), current.end(), [](const hour_tally& x, const hour_tally& y) { return x.endpoint < y.endpoint; });
  ASSERT_EQ(current.size(), 2u);
  EXPECT_EQ(current[0].endpoint, "a");
  EXPECT_EQ(current[0].hour, day + 3h);
  EXPECT_EQ(current[0].count, 4u);
  EXPECT_EQ(current[0].failures, 1u);
  EXPECT_EQ(current[1].count, 2u);
  EXPECT_EQ(current[1].failures, 0u);
}

TEST(monitor_history, retention_by_time) {
  testing::scratch_dir dir;
  history_store store((dir.path() / "history.db").string());
  std::vector<check_record> rs;
  for (int d = 0; d < 10; ++d) rs.push_back(record("health", day + d * 24h, 5ms, true));
  store.write(rs);
  store.roll_up_closed_hours(day + 10 * 24h);
  EXPECT_EQ(store.apply_retention(day + 10 * 24h, 7 * 24h, 8 * 24h), 3u);
  EXPECT_EQ(store.count_checks(), 7u);
  EXPECT_EQ(store.checks("health", day).front().started, day + 3 * 24h);
  EXPECT_EQ(store.rollups("health", day).size(), 8u);
}

TEST(monitor_history, the_writer_rolls_up_and_trims_when_the_hour_turns) {
  testing::scratch_dir dir;
  const std::string path = (dir.path() / "history.db").string();
  std::atomic<std::int64_t> now_s{std::chrono::duration_cast<std::chrono::seconds>(day.time_since_epoch()).count()};
  history_writer_options options;
  options.keep_checks = 2h;
  options.clock = [&] { return wall_time{std::chrono::seconds{now_s.load()}}; };
  history_writer writer(std::make_unique<history_store>(path), options);
  for (int i = 0; i < 10; ++i) writer.offer(record("profiles", day + std::chrono::minutes(i), 2ms, i != 3));
  writer.flush();
  history_store reader(path);
  EXPECT_TRUE(reader.rollups("profiles", day).empty()) << "the hour is still open";
  now_s += 3 * 3600;  // three hours later: hour 0 is closed and past the 2 h retention of checks
  writer.offer(record("profiles", day + 3h, 2ms, true));
  writer.flush();
  auto rows = reader.rollups("profiles", day);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].count, 10u);
  EXPECT_EQ(rows[0].failures, 1u);
  EXPECT_EQ(reader.count_checks(), 1u) << "checks older than keep_checks are gone; the roll-up stays";
}

TEST(monitor_history, sparse_histogram_matches_core_and_round_trips) {
  sparse_histogram s;
  latency_histogram dense;
  for (std::uint64_t v = 1; v <= 20000; v += 7) {
    s.record(v * 13);
    dense.record(v * 13);
  }
  for (double q : {0.0, 0.5, 0.9, 0.99, 1.0}) EXPECT_EQ(s.percentile(q), dense.percentile(q)) << q;
  auto back = sparse_histogram::from_blob(s.to_blob());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->count(), s.count());
  EXPECT_EQ(back->buckets(), s.buckets());
  EXPECT_FALSE(sparse_histogram::from_blob("").has_value());
  EXPECT_FALSE(sparse_histogram::from_blob(std::string(10, '\x01')).has_value());
}

}  // namespace
}  // namespace serentak::monitor
