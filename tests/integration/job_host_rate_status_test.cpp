// Issue 18: `serentak job status` shows the job-wide per-host rates. Three real `serentak job work`
// processes share one --host-rate bucket in a real redis-server while fetching from the real
// `serentak serve`; status (text and --json) shows the host's configured and current rate, its
// lease state, how many held items wait on it and, with --watch, the rate observed between
// refreshes. A hostile host name in Redis is escaped in the text and intact in the JSON.
#include <csignal>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/log_text.hpp"
#include "support/job_harness.hpp"
#include "support/polling.hpp"
#include "support/redis_server.hpp"
#include "support/serve_process.hpp"
#include "support/test_paths.hpp"

namespace serentak {
namespace {

using namespace std::chrono_literals;
using testing::run_job;

nlohmann::json status_json(const std::string& job) {
  auto r = run_job({"status", job, "--json"}, 20s);
  if (r.exit_code != 0) return nlohmann::json();
  return nlohmann::json::parse(r.out, nullptr, false);
}

TEST(job_host_rate_status, status_shows_the_shared_host_rate_its_lease_state_and_the_items_waiting_on_it) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  testing::serve_process serve({"--quiet", "--delay-scale", "0.1"});  // books: 10-40 ms
  ASSERT_NE(serve.port(), 0);
  const std::string job = redis.url("rated");
  constexpr int items = 300;  // about 10 s at 30 a second
  auto push = run_job({"push", job, "--url", serve.base_url() + "/check_book_status?isbn={}", "-i",
                       testing::write_items(dir.path(), items), "--host-rate", "30/s", "--timeout", "5"});
  ASSERT_EQ(push.exit_code, 0) << push.err;
  EXPECT_EQ(push.err, "") << "164 held items at 30/s wait ~5.5 s, within the 12 s lease: no warning";

  // Before any worker leased, the job has a host rate and no host yet.
  auto before = status_json(job);
  ASSERT_TRUE(before.contains("host_rates")) << before;
  EXPECT_EQ(before["host_rates"]["configured_per_second"], 30.0);
  EXPECT_TRUE(before["host_rates"]["hosts"].empty()) << before;

  std::vector<std::unique_ptr<testing::child_process>> workers;
  for (int w = 0; w < 3; ++w)
    workers.push_back(testing::start_worker(job, {"-c", "10", "--threads", "1"}, dir.path(), "w" + std::to_string(w)));

  // Mid-job: a fifth done and all three workers leasing.
  nlohmann::json mid;
  ASSERT_TRUE(testing::wait_for(
      [&] {
        mid = status_json(job);
        return mid.is_object() && mid["done"].get<int>() >= items / 5 && mid["done"].get<int>() < items / 2 &&
               mid["host_rates"]["leasing_workers"].get<int>() == 3;
      },
      40s))
      << mid;
  const std::string host = "http://127.0.0.1:" + std::to_string(serve.port());
  const auto& rates = mid["host_rates"];
  ASSERT_EQ(rates["hosts"].size(), 1U) << rates;
  const auto& h = rates["hosts"][0];
  EXPECT_EQ(h["host"], host);
  EXPECT_EQ(h["configured_per_second"], 30.0);
  EXPECT_EQ(h["current_per_second"], 30.0) << "no --adaptive: the shared rate stays as pushed";
  EXPECT_GE(h["tokens"].get<double>(), 0.0);
  EXPECT_LE(h["tokens"].get<double>(), h["burst"].get<double>());
  EXPECT_EQ(h["burst"], 6) << "2 x a tenth of a second of 30/s";
  ASSERT_FALSE(h["last_lease_ms_ago"].is_null());
  EXPECT_LT(h["last_lease_ms_ago"].get<long long>(), 2000) << "three busy workers lease about every 0.1 s";
  EXPECT_EQ(h["paused_ms"], 0);
  EXPECT_TRUE(h["observed_per_second"].is_null()) << "one reading observes no rate";
  // Each worker holds up to max(10, 32) queued + 64 refused by the host's budget + 10 in flight, most
  // of them waiting for this host's tokens; every one is among the pending entries counted.
  EXPECT_GT(h["waiting_items"].get<int>(), 0) << rates;
  EXPECT_LE(h["waiting_items"].get<int>(), rates["held_counted"].get<int>()) << rates;
  EXPECT_LE(rates["held_counted"].get<int>(), 3 * (32 + 64 + 10)) << rates;
  EXPECT_FALSE(rates["held_truncated"].get<bool>());
  EXPECT_GE(h["tokens_taken"].get<int>(), mid["done"].get<int>()) << "every record's request took a token";

  auto text = run_job({"status", job}, 20s);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("host rate  30/s per host for the whole job"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("  " + host + "\n"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("items waiting on it "), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("bucket "), std::string::npos) << text.out;

  // --watch: from the second refresh on, the rate of tokens taken between refreshes. In one second at
  // most 30 x 1.1 + 6 = 39 tokens can be granted (docs/distributed.md); three workers each at their
  // own 30/s would take ~90.
  testing::child_process watch({testing::binary_path().string(), "job", "status", job, "--json", "--watch", "1"},
                               dir.path() / "watch");
  ASSERT_TRUE(watch.wait_until_watching(10s));
  std::this_thread::sleep_for(3500ms);
  watch.signal(SIGINT);
  auto watched = watch.wait(10s);
  ASSERT_TRUE(watched.has_value());
  EXPECT_EQ(*watched, 130) << watch.err();
  std::vector<double> observed;
  std::istringstream lines(watch.out());
  int refreshes = 0;
  for (std::string line; std::getline(lines, line); ++refreshes) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << line;
    ASSERT_EQ(j["host_rates"]["hosts"].size(), 1U) << line;
    const auto& seen = j["host_rates"]["hosts"][0]["observed_per_second"];
    if (refreshes == 0) {
      EXPECT_TRUE(seen.is_null()) << line;
    } else if (j["done"].get<int>() < items) {
      ASSERT_TRUE(seen.is_number()) << line;
      observed.push_back(seen.get<double>());
    }
  }
  ASSERT_FALSE(observed.empty()) << watch.out();
  std::cout << text.out << "observed between --watch refreshes:";
  for (double rate : observed) std::cout << ' ' << rate;
  std::cout << " tokens a second\n";
  for (double rate : observed) {
    EXPECT_LE(rate, 45.0) << "tokens taken a second by the three workers together";
    EXPECT_GE(rate, 5.0) << "the workers were fetching";  // a loaded sanitizer build may be slow, not stopped
  }

  for (auto& w : workers) {
    auto status = w->wait(90s);
    ASSERT_TRUE(status.has_value()) << "a worker did not finish: " << w->err();
    EXPECT_EQ(*status, 0) << w->err();
  }
  auto after = status_json(job);
  ASSERT_TRUE(after.is_object());
  EXPECT_EQ(after["done"], items);
  const auto& done = after["host_rates"]["hosts"][0];
  EXPECT_EQ(done["waiting_items"], 0) << "nothing is held once every item has a record";
  // One token per request (no retries, no reclaims within the 12 s lease), plus what each worker
  // leased last and never spent: at most one batch of 3 each.
  EXPECT_GE(done["tokens_taken"].get<int>(), items);
  EXPECT_LE(done["tokens_taken"].get<int>(), items + 3 * 3) << done;

  auto deleted = run_job({"delete", job});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_EQ(redis.cli({"EXISTS", "serentak:rated:hostrate_taken"}), "0") << "delete removes the counter too";
}

TEST(job_host_rate_status, a_hostile_host_name_is_escaped_in_the_text_and_intact_in_the_json) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  const std::string job = redis.url("hostile");
  auto push = run_job({"push", job, "--url", "http://127.0.0.1:9/x?id={}", "a", "b", "--host-rate", "5/s"});
  ASSERT_EQ(push.exit_code, 0) << push.err;
  // Anyone who can write to the Redis instance can put any host name there.
  const std::string hostile = "http://\x1b[2J\x1b]0;owned\x07evil\r:80";
  redis.cli({"HSET", "serentak:hostile:hostrate", hostile, "2 0 5 0"});
  redis.cli({"HSET", "serentak:hostile:hostrate_taken", hostile, "7"});

  auto text = run_job({"status", job}, 20s);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(text.out.find('\x1b'), std::string::npos) << "no terminal escape reaches the terminal";
  EXPECT_EQ(text.out.find('\r'), std::string::npos);
  EXPECT_EQ(text.out.find('\x07'), std::string::npos);
  EXPECT_NE(text.out.find("  " + escape_for_log(hostile) + "\n"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("tokens taken 7"), std::string::npos) << text.out;

  auto json = run_job({"status", job, "--json"}, 20s);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(json.out.find('\x1b'), std::string::npos) << "JSON escapes control characters itself";
  auto j = nlohmann::json::parse(json.out);
  ASSERT_EQ(j["host_rates"]["hosts"].size(), 1U);
  EXPECT_EQ(j["host_rates"]["hosts"][0]["host"], hostile);
  EXPECT_EQ(j["host_rates"]["hosts"][0]["current_per_second"], 5.0);
  EXPECT_EQ(j["host_rates"]["hosts"][0]["tokens"], 2.0) << "a bucket last leased at 0 ms is full";
}

TEST(job_host_rate_status, a_job_without_host_rate_has_none) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  const std::string job = redis.url("plain");
  ASSERT_EQ(run_job({"push", job, "--url", "http://127.0.0.1:9/x?id={}", "a"}).exit_code, 0);
  auto j = status_json(job);
  ASSERT_TRUE(j.is_object());
  EXPECT_TRUE(j["host_rates"].is_null()) << j;
  auto text = run_job({"status", job}, 20s);
  EXPECT_EQ(text.out.find("host rate"), std::string::npos) << text.out;
}

}  // namespace
}  // namespace serentak
