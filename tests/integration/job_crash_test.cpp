// Crash-exactness of `serentak job work` with a real redis-server (AOF, appendfsync always) and
// the real `serentak serve`: a worker SIGKILLed mid-batch, a worker SIGSTOPped past its lease and
// continued, Redis killed and restarted mid-job, a poison item, SIGTERM. After each, collect holds
// exactly one record per item. Every wait is bounded.
#include <csignal>
#include <sstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/job_harness.hpp"
#include "support/redis_server.hpp"
#include "support/scripted_http_server.hpp"
#include "support/serve_process.hpp"
#include "support/test_paths.hpp"

namespace serentak {
namespace {

using namespace std::chrono_literals;
using testing::records;
using testing::run_job;
using testing::wait_for_records;

// The number before `label` in a worker's closing line ("..., 12 taken over, ...").
std::size_t figure(const std::string& out, const std::string& label) {
  auto at = out.find(" " + label);
  if (at == std::string::npos) return 0;
  auto start = out.find_last_of(" (", at - 1);
  return std::stoul(out.substr(start + 1, at - start - 1));
}

void expect_one_record_per_item(const std::string& job, const std::filesystem::path& dir, std::size_t items) {
  auto c = testing::collect(job, dir);
  EXPECT_EQ(c.lines, items);
  ASSERT_EQ(c.per_index.size(), items);
  for (const auto& [index, count] : c.per_index) EXPECT_EQ(count, 1) << "index " << index;
  EXPECT_EQ(c.per_index.rbegin()->first, items - 1);
}

void push(const std::string& job, const testing::serve_process& serve, const std::filesystem::path& dir, int items,
          const std::string& timeout) {
  auto r = run_job({"push", job, "--url", serve.base_url() + "/check_book_status?isbn={}", "-i",
                    testing::write_items(dir, items), "--timeout", timeout});
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

TEST(job_crash, a_worker_sigkilled_mid_batch_is_reclaimed_by_the_others) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  testing::serve_process serve({"--quiet", "--delay-scale", "1"});  // books: 100-400 ms
  const std::string job = redis.url("killed");
  push(job, serve, dir.path(), 300, "3");
  auto victim = testing::start_worker(job, {"-c", "30", "--lease", "2"}, dir.path(), "victim");
  ASSERT_TRUE(wait_for_records(redis, "killed", 30, 20s));
  victim->signal(SIGKILL);
  ASSERT_EQ(victim->wait(5s), 128 + SIGKILL);

  auto a = testing::start_worker(job, {"-c", "30", "--lease", "2"}, dir.path(), "a");
  auto b = testing::start_worker(job, {"-c", "30", "--lease", "2"}, dir.path(), "b");
  ASSERT_EQ(a->wait(60s), 0) << a->err();
  ASSERT_EQ(b->wait(60s), 0) << b->err();
  EXPECT_GT(figure(a->out(), "taken over") + figure(b->out(), "taken over"), 0U)
      << "the victim's items must be reclaimed: " << a->out() << b->out();
  expect_one_record_per_item(job, dir.path(), 300);
}

TEST(job_crash, a_worker_stopped_past_its_lease_and_continued_adds_no_second_record) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  testing::serve_process serve({"--quiet", "--delay-scale", "1"});
  const std::string job = redis.url("stopped");
  push(job, serve, dir.path(), 200, "3");
  auto sleeper = testing::start_worker(job, {"-c", "20", "--lease", "1.5"}, dir.path(), "sleeper");
  ASSERT_TRUE(wait_for_records(redis, "stopped", 10, 20s));
  sleeper->signal(SIGSTOP);
  auto other = testing::start_worker(job, {"-c", "20", "--lease", "1.5"}, dir.path(), "other");
  ASSERT_EQ(other->wait(60s), 0) << other->err();
  EXPECT_GT(figure(other->out(), "taken over"), 0U) << other->out();
  sleeper->signal(SIGCONT);
  ASSERT_EQ(sleeper->wait(30s), 0) << sleeper->err();
  // What the sleeper held was finished by the other worker; the sleeper's late results (answers
  // or timeouts) found a record there already.
  EXPECT_GT(figure(sleeper->out(), "already recorded"), 0U) << sleeper->out();
  expect_one_record_per_item(job, dir.path(), 200);
  auto c = testing::collect(job, dir.path());
  EXPECT_EQ(c.per_outcome["not_found"], 200U) << "no late timeout replaced a record";
  auto status = nlohmann::json::parse(run_job({"status", job, "--json"}).out);
  EXPECT_EQ(status["outcomes"]["not_found"], 200);
  EXPECT_EQ(status["outcomes"]["timeout"], 0);
}

TEST(job_crash, redis_killed_and_restarted_mid_job_loses_nothing) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  testing::serve_process serve({"--quiet", "--delay-scale", "0.5"});
  const std::string job = redis.url("outage");
  push(job, serve, dir.path(), 400, "3");
  auto a = testing::start_worker(job, {"-c", "20", "--lease", "3"}, dir.path(), "a");
  auto b = testing::start_worker(job, {"-c", "20", "--lease", "3"}, dir.path(), "b");
  ASSERT_TRUE(wait_for_records(redis, "outage", 40, 20s));
  redis.kill();
  std::this_thread::sleep_for(1500ms);
  ASSERT_TRUE(redis.start());
  ASSERT_EQ(a->wait(90s), 0) << a->err();
  ASSERT_EQ(b->wait(90s), 0) << b->err();
  for (auto* w : {a.get(), b.get()}) {
    std::string err = w->err();
    EXPECT_NE(err.find("pausing and reconnecting"), std::string::npos) << err;
    EXPECT_LE(std::count(err.begin(), err.end(), '\n'), 2) << "one message for the outage, one when it ends: " << err;
  }
  expect_one_record_per_item(job, dir.path(), 400);
}

// Starts a worker and kills it (SIGKILL) once the item at `index` has been delivered `times` times and the
// job has `records` records: a worker that dies on the item each time it takes it.
void kill_while_holding(const std::string& job, const testing::redis_server& redis, const std::string& name,
                        std::size_t index, long long times, std::size_t records,
                        const std::vector<std::string>& options, const std::filesystem::path& dir) {
  auto w = testing::start_worker(job, options, dir, "killed" + std::to_string(times));
  const auto give_up = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < give_up &&
         (testing::item_deliveries(redis, name, index) < times || testing::records(redis, name) < records))
    std::this_thread::sleep_for(20ms);
  ASSERT_EQ(testing::item_deliveries(redis, name, index), times) << w->err();
  w->signal(SIGKILL);
  w->wait(10s);
}

// A poison item: each worker that takes it dies on it (here: killed while its request hangs). After
// --max-deliveries it is dead-lettered by the next worker, and its record says so.
TEST(job_crash, a_poison_item_is_dead_lettered_after_max_deliveries_and_its_record_says_so) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  testing::serve_process serve({"--quiet", "--delay-scale", "0", "--fault", "books:isbn=poison:hang"});
  const std::string job = redis.url("poison");
  auto r = run_job({"push", job, "--url", serve.base_url() + "/check_book_status?isbn={}", "a", "b", "poison", "c", "d",
                    "--timeout", "30"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> options{"-c", "5", "--lease", "0.8", "--max-deliveries", "2"};
  kill_while_holding(job, redis, "poison", 2, 1, 4, options, dir.path());
  kill_while_holding(job, redis, "poison", 2, 2, 4, options, dir.path());
  auto last = testing::start_worker(job, options, dir.path(), "last");
  ASSERT_EQ(last->wait(30s), 0) << last->err();
  EXPECT_EQ(figure(last->out(), "dead-lettered"), 1U) << last->out();
  auto c = testing::collect(job, dir.path());
  EXPECT_EQ(c.lines, 5U);
  EXPECT_EQ(c.per_index.size(), 5U);
  ASSERT_EQ(c.dead_errors.size(), 1U);
  EXPECT_EQ(c.dead_errors[0], "dead-lettered after 3 deliveries: no worker finished it");
  EXPECT_EQ(c.per_outcome["unexpected"], 1U);
  EXPECT_EQ(c.per_outcome["not_found"], 4U);
  EXPECT_EQ(redis.cli({"XLEN", "serentak:poison:dead"}), "1");
  EXPECT_NE(redis.cli({"XRANGE", "serentak:poison:dead", "-", "+"}).find("poison"), std::string::npos);

  // Re-queued by a retry, it is no longer counted dead; the dead stream keeps the letter.
  auto dead_in_status = [&] {
    auto s = run_job({"status", job, "--json"});
    auto j = nlohmann::json::parse(s.out, nullptr, false);
    return j.is_discarded() ? -1LL : j.value("dead_lettered", -1LL);
  };
  EXPECT_EQ(dead_in_status(), 1);
  auto retried = run_job({"retry", job, "--outcome", "unexpected"});
  ASSERT_EQ(retried.exit_code, 0) << retried.err;
  EXPECT_NE(retried.out.find("1 items re-queued"), std::string::npos) << retried.out;
  EXPECT_EQ(dead_in_status(), 0);
  EXPECT_EQ(redis.cli({"XLEN", "serentak:poison:dead"}), "1");
}

// A live worker renews the leases of what it holds: an item it waits on past its lease (a Retry-After
// longer than the lease, a slow answer) stays its own, fetched once, neither taken over by itself or
// another worker nor dead-lettered. Before, a lone worker re-fetched such an item every lease and
// dead-lettered it, throwing its answer away.
TEST(job_crash, a_live_worker_keeps_an_item_it_waits_on_past_its_lease) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  testing::serve_process serve(
      {"--quiet", "--delay-scale", "0", "--fault", "books:isbn=slow:attempt=1:503:retry-after=3"});
  const std::string job = redis.url("kept");
  auto r = run_job({"push", job, "--url", serve.base_url() + "/check_book_status?isbn={}", "a", "slow", "b",
                    "--retries", "1", "--timeout", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> options{"-c", "5", "--lease", "0.6", "--max-deliveries", "1"};
  auto w = testing::start_worker(job, options, dir.path(), "w");
  ASSERT_TRUE(wait_for_records(redis, "kept", 2, 20s));
  auto other = testing::start_worker(job, options, dir.path(), "other");  // would take it after the lease
  ASSERT_EQ(w->wait(30s), 0) << w->err();
  ASSERT_EQ(other->wait(30s), 0) << other->err();
  EXPECT_EQ(figure(w->out(), "taken over") + figure(other->out(), "taken over"), 0U) << w->out() << other->out();
  auto c = testing::collect(job, dir.path());
  EXPECT_TRUE(c.dead_errors.empty());
  EXPECT_EQ(c.per_outcome["not_found"], 3U) << "slow's answer after the Retry-After is its record";
  auto slow = nlohmann::json::parse(redis.cli({"HGET", "serentak:kept:records", "1"}), nullptr, false);
  ASSERT_FALSE(slow.is_discarded());
  EXPECT_EQ(slow.value("attempts", 0), 2);
}

// An item whose attempts fail and which no worker finishes (each that takes it dies while it waits out
// a Retry-After) is dead-lettered with the last failed attempt a worker saw, not only "no worker
// finished it"; a finished item of several attempts clears its item's note.
TEST(job_crash, a_dead_letter_names_the_last_failed_attempt_and_a_stored_record_clears_its_note) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  testing::serve_process serve({"--quiet", "--delay-scale", "0", "--fault", "books:isbn=poison:503:retry-after=30",
                                "--fault", "books:isbn=flaky:attempt=1:503"});
  const std::string job = redis.url("noted");
  auto r = run_job({"push", job, "--url", serve.base_url() + "/check_book_status?isbn={}", "a", "flaky", "poison",
                    "--retries", "1", "--timeout", "4"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> options{"-c", "5", "--lease", "1", "--max-deliveries", "1"};
  // Killed once poison's 503 is noted and the two others are recorded (flaky on its second attempt).
  {
    auto w = testing::start_worker(job, options, dir.path(), "w");
    const auto give_up = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < give_up &&
           (redis.cli({"HEXISTS", "serentak:noted:errors", "2"}) != "1" || testing::records(redis, "noted") < 2))
      std::this_thread::sleep_for(20ms);
    ASSERT_EQ(redis.cli({"HGET", "serentak:noted:errors", "2"}), "attempt 1: server_error 503") << w->err();
    w->signal(SIGKILL);
    w->wait(10s);
  }
  auto last = testing::start_worker(job, options, dir.path(), "last");
  ASSERT_EQ(last->wait(30s), 0) << last->err();
  EXPECT_EQ(figure(last->out(), "dead-lettered"), 1U) << last->out();
  auto c = testing::collect(job, dir.path());
  EXPECT_EQ(c.lines, 3U);
  ASSERT_EQ(c.dead_errors.size(), 1U);
  const std::string expected =
      "dead-lettered after 2 deliveries: no worker finished it; last failed attempt: attempt 1: server_error 503";
  EXPECT_EQ(c.dead_errors[0], expected);
  EXPECT_NE(redis.cli({"XRANGE", "serentak:noted:dead", "-", "+"}).find(expected), std::string::npos);
  // flaky (index 1) failed once, then got its answer: the record says 2 attempts and the note is gone.
  auto flaky = nlohmann::json::parse(redis.cli({"HGET", "serentak:noted:records", "1"}), nullptr, false);
  ASSERT_FALSE(flaky.is_discarded());
  EXPECT_EQ(flaky.value("attempts", 0), 2);
  // Poison's note went with its dead letter. Nothing is left behind.
  EXPECT_EQ(redis.cli({"EXISTS", "serentak:noted:errors"}), "0");
}

// Redis at its maxmemory with noeviction (the setting the docs ask for) refuses the records but still
// hands out items (XREADGROUP is not refused). The worker must stop taking items while its records wait,
// instead of fetching the whole job into memory; stopped, it leaves the rest for later.
TEST(job_crash, a_worker_takes_no_more_items_while_redis_refuses_its_records) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  testing::serve_process serve({"--quiet", "--delay-scale", "0"});
  const std::string job = redis.url("full");
  push(job, serve, dir.path(), 30000, "5");
  const std::string memory = redis.cli({"INFO", "memory"});
  const auto at = memory.find("used_memory:");
  ASSERT_NE(at, std::string::npos);
  const long long used = std::stoll(memory.substr(at + 12));
  redis.cli({"CONFIG", "SET", "maxmemory-policy", "noeviction"});
  redis.cli({"CONFIG", "SET", "maxmemory", std::to_string(used + (1 << 20))});  // about 3,000 records more

  auto w = testing::start_worker(job, {"-c", "50"}, dir.path(), "w");
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (w->err().find("taking no more items") == std::string::npos && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(100ms);
  ASSERT_NE(w->err().find("taking no more items until Redis takes them"), std::string::npos) << w->err();
  EXPECT_NE(w->err().find("OOM"), std::string::npos) << w->err();
  std::this_thread::sleep_for(1500ms);  // had it gone on reading, it would fetch on meanwhile
  w->signal(SIGINT);
  auto status = w->wait(5s);
  ASSERT_TRUE(status.has_value()) << w->err();
  EXPECT_EQ(*status, 130) << w->err();
  const std::size_t fetched = figure(w->out(), "items fetched");
  const std::size_t stored = records(redis, "full");
  EXPECT_LT(stored, 30000U);
  // 10,000 waiting, plus what the engine and the local queue held when the reading stopped.
  EXPECT_LE(fetched, stored + 10000 + 200) << w->out();

  // Room again: the next worker records every item once.
  redis.cli({"CONFIG", "SET", "maxmemory", "0"});
  auto next = testing::start_worker(job, {"-c", "50", "--lease", "1"}, dir.path(), "next");
  ASSERT_EQ(next->wait(60s), 0) << next->err();
  expect_one_record_per_item(job, dir.path(), 30000);
}

// Stopped, the engine settles an attempt's transient failure as final (for `fetch`, more accurate than
// "cancelled"). A job's item with retries left must not be recorded so: released, the next worker gives
// it the attempts it has left. Only records that used every attempt may say server_error.
TEST(job_crash, a_stopped_worker_records_no_failure_that_had_retries_left) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  testing::scripted_http_server api([](const testing::scripted_request&) {
    return testing::scripted_reply::respond(503, "{}", 150ms).with_header("Content-Type", "application/json");
  });
  const std::string job = redis.url("unavailable");
  ASSERT_EQ(run_job({"push", job, "--url", api.url("/p?id={}"), "-i", testing::write_items(dir.path(), 400),
                     "--retries", "5"})
                .exit_code,
            0);
  auto w = testing::start_worker(job, {"-c", "100"}, dir.path(), "w");
  ASSERT_TRUE(w->wait_until_watching(10s));
  std::this_thread::sleep_for(1200ms);  // every item is between attempts, or in one
  w->signal(SIGTERM);
  auto status = w->wait(5s);
  ASSERT_TRUE(status.has_value()) << w->err();
  EXPECT_EQ(*status, 143) << w->err();
  EXPECT_GT(figure(w->out(), "released"), 0U) << w->out();
  const std::string all = redis.cli({"HVALS", "serentak:unavailable:records"});
  std::istringstream lines(all);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    auto record = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(record.is_discarded()) << line;
    EXPECT_EQ(record.value("attempts", 0), 6) << "recorded with retries left: " << line.substr(0, 300);
  }
}

TEST(job_crash, sigterm_stops_taking_work_releases_what_it_holds_and_exits_143) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  testing::serve_process serve({"--quiet", "--delay-scale", "2"});  // books: 200-800 ms
  const std::string job = redis.url("term");
  push(job, serve, dir.path(), 300, "5");
  auto w = testing::start_worker(job, {"-c", "50"}, dir.path(), "term");  // default lease: 12 s
  ASSERT_TRUE(w->wait_until_watching(10s));
  ASSERT_TRUE(wait_for_records(redis, "term", 20, 20s));
  w->signal(SIGTERM);
  auto status = w->wait(3s);
  ASSERT_TRUE(status.has_value()) << "it must finish or release what it holds within about a second";
  EXPECT_EQ(*status, 143) << w->err();
  EXPECT_GT(figure(w->out(), "released"), 0U) << w->out();
  // Released entries look idle far past any lease, so the next worker takes them at once instead
  // of after the 12 s lease: with a 3-minute lease it still finishes quickly.
  auto next = testing::start_worker(job, {"-c", "50", "--lease", "180"}, dir.path(), "next");
  ASSERT_EQ(next->wait(60s), 0) << next->err();
  EXPECT_GT(figure(next->out(), "taken over"), 0U) << next->out();
  expect_one_record_per_item(job, dir.path(), 300);
}

// The same promise when Redis no longer answers (SIGSTOPped: its kernel still accepts connections and
// data, so nothing fails, every read just waits): each of the worker's connections may be blocked for
// a whole command timeout (5 s), one after another. The worker stops within about a second anyway
// (it took 17 s before), and nothing it held is lost: the next worker takes it after the lease.
TEST(job_crash, sigint_ends_a_worker_within_about_a_second_even_when_redis_no_longer_answers) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  testing::serve_process serve({"--quiet", "--delay-scale", "2"});  // books: 200-800 ms
  const std::string job = redis.url("hung");
  push(job, serve, dir.path(), 200, "5");
  auto w = testing::start_worker(job, {"-c", "20", "--lease", "3"}, dir.path(), "hung");
  ASSERT_TRUE(w->wait_until_watching(10s));
  ASSERT_TRUE(wait_for_records(redis, "hung", 10, 20s));
  redis.signal(SIGSTOP);
  std::this_thread::sleep_for(300ms);  // the worker's reads are now waiting on Redis
  w->signal(SIGINT);
  auto status = w->wait(2500ms);
  redis.signal(SIGCONT);
  ASSERT_TRUE(status.has_value()) << "a worker must stop within about a second whatever Redis does";
  EXPECT_EQ(*status, 130) << w->err();
  auto next = testing::start_worker(job, {"-c", "50", "--lease", "3"}, dir.path(), "next");
  ASSERT_EQ(next->wait(60s), 0) << next->err();
  expect_one_record_per_item(job, dir.path(), 200);
}

// What a worker holds and has not started waits against its lease, which allows for one other item's
// time. It held max(-c, 32) whatever its --rate: its own reclaim then took its queued entries again, each
// fetched twice and a delivery counted towards dead-lettering (94 fetches for 40 items at -c 1). Now each
// item is fetched once, by a worker at -c 1 and by one whose --rate is far below its -c.
TEST(job_crash, a_worker_holds_no_more_than_its_lease_allows_so_it_fetches_each_item_once) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  testing::serve_process serve({"--quiet", "--delay-scale", "0.5"});  // books: 50-200 ms
  struct run {
    std::string name;
    std::vector<std::string> spec;  // lease: 2 x timeout + 2 s (no retries)
    std::vector<std::string> worker;
    int items;
  };
  for (const run& r : {run{"one-slot", {"--timeout", "0.3", "--retries", "0"}, {"-c", "1"}, 30},
                       run{"rate", {"--timeout", "0.5", "--retries", "0", "--rate", "10"}, {"-c", "50"}, 40}}) {
    const std::string job = redis.url(r.name);
    std::vector<std::string> args{"push",  job,
                                  "--url", serve.base_url() + "/check_book_status?isbn={}",
                                  "-i",    testing::write_items(dir.path(), r.items, r.name)};
    args.insert(args.end(), r.spec.begin(), r.spec.end());
    auto pushed = run_job(args);
    ASSERT_EQ(pushed.exit_code, 0) << pushed.err;
    auto w = testing::start_worker(job, r.worker, dir.path(), r.name);
    auto status = w->wait(60s);
    ASSERT_TRUE(status.has_value()) << r.name << ": " << w->err();
    EXPECT_EQ(*status, 0) << r.name << ": " << w->err();
    EXPECT_EQ(figure(w->out(), "items fetched"), static_cast<std::size_t>(r.items)) << r.name << ": " << w->out();
    EXPECT_EQ(figure(w->out(), "taken over"), 0U) << r.name << ": " << w->out();
  }
}

}  // namespace
}  // namespace serentak
