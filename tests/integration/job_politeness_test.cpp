// Issue 18.4: --host-rate and Retry-After hold for the whole job, not per worker process. Three
// real `serentak job work` processes share one token bucket per host in a real redis-server;
// an in-process scripted server stamps each request as it arrives, so the combined rate and the
// pause are measured on the server's side.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "support/job_harness.hpp"
#include "support/redis_server.hpp"
#include "support/scripted_http_server.hpp"
#include "support/test_paths.hpp"

namespace serentak {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
using testing::run_job;

std::vector<std::unique_ptr<testing::child_process>> start_three(const std::string& job,
                                                                 const testing::scratch_dir& dir) {
  std::vector<std::unique_ptr<testing::child_process>> workers;
  for (int w = 0; w < 3; ++w)
    workers.push_back(testing::start_worker(job, {"-c", "10", "--threads", "1"}, dir.path(), "w" + std::to_string(w)));
  return workers;
}

void wait_all(std::vector<std::unique_ptr<testing::child_process>>& workers) {
  for (auto& w : workers) {
    auto status = w->wait(90s);
    ASSERT_TRUE(status.has_value()) << "a worker did not finish: " << w->err();
    EXPECT_EQ(*status, 0) << w->err();
    EXPECT_NE(w->out().find("host-rate leases"), std::string::npos) << "every worker leased tokens: " << w->out();
  }
}

std::size_t arrivals_between(const std::vector<clock_type::time_point>& arrivals, clock_type::time_point from,
                             clock_type::time_point to) {
  return static_cast<std::size_t>(std::count_if(arrivals.begin(), arrivals.end(),
                                                [&](clock_type::time_point at) { return at >= from && at < to; }));
}

TEST(job_politeness, three_workers_hold_the_jobs_host_rate_together_not_each) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  testing::scripted_http_server server(
      [](const testing::scripted_request&) { return testing::scripted_reply::respond(200, "ok"); });
  const std::string job = redis.url("polite");
  constexpr int items = 420;  // about 7 s at 60 a second
  auto push = run_job({"push", job, "--url", server.url("/p?id={}"), "-i", testing::write_items(dir.path(), items),
                       "--host-rate", "60/s", "--timeout", "5"});
  ASSERT_EQ(push.exit_code, 0) << push.err;

  auto workers = start_three(job, dir);
  wait_all(workers);
  const auto arrivals = server.arrival_times();
  ASSERT_GE(arrivals.size(), static_cast<std::size_t>(items));

  // The steady part: from one second after the first request, four seconds long (each worker
  // process is up by then; the job lasts about seven). Per worker it would be ~180 a second, and
  // the job over within three.
  const auto from = arrivals.front() + 1s;
  const auto to = std::min<clock_type::time_point>(from + 4s, arrivals.back());
  ASSERT_GT(to - from, 1s) << "the job ended within two seconds: far above 60 a second";
  const double per_second =
      static_cast<double>(arrivals_between(arrivals, from, to)) / std::chrono::duration<double>(to - from).count();
  // Above 66 a second the rate is not shared (per worker it is ~180); below, a slow sanitizer build
  // on a loaded machine may simply not keep up, which is no failure of the shared bucket.
  EXPECT_LE(per_second, 66.0) << "the three workers together, requests a second";
  EXPECT_GE(per_second, 40.0) << "the three workers together, requests a second";
  std::cout << "three workers at --host-rate 60/s: " << per_second << " requests a second together\n";
  auto c = testing::collect(job, dir.path());
  EXPECT_EQ(c.per_index.size(), static_cast<std::size_t>(items));
  EXPECT_EQ(c.per_outcome["ok"], static_cast<std::size_t>(items));
}

TEST(job_politeness, a_retry_after_seen_by_one_worker_pauses_the_host_for_every_worker) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  std::mutex refused_mutex;  // guards refused_at, set by a connection thread of the server
  std::optional<clock_type::time_point> refused_at;
  std::atomic<bool> refused{false};
  testing::scripted_http_server server([&](const testing::scripted_request& request) {
    // One 429 with Retry-After: 2, once the three workers are well under way.
    if (request.sequence >= 90 && !refused.exchange(true)) {
      std::lock_guard lock(refused_mutex);
      refused_at = request.arrived;
      return testing::scripted_reply::respond(429, "slow down").with_header("Retry-After", "2");
    }
    return testing::scripted_reply::respond(200, "ok");
  });
  const std::string job = redis.url("paused");
  constexpr int items = 300;
  auto push = run_job({"push", job, "--url", server.url("/p?id={}"), "-i", testing::write_items(dir.path(), items),
                       "--host-rate", "60/s", "--retries", "2", "--timeout", "5"});
  ASSERT_EQ(push.exit_code, 0) << push.err;

  auto workers = start_three(job, dir);
  wait_all(workers);
  const auto arrivals = server.arrival_times();
  std::optional<clock_type::time_point> at;
  {
    std::lock_guard lock(refused_mutex);
    at = refused_at;
  }
  ASSERT_TRUE(at.has_value()) << "the job ended before the 429 was sent";
  EXPECT_EQ(arrivals.size(), static_cast<std::size_t>(items) + 1) << "every item once, the refused one twice";

  // Requests already sent when the 429 went out, and at most one lease window (100 ms) of tokens
  // another worker held, may still arrive; a sanitizer build on a loaded machine may take a while
  // to carry the 429 to Redis: 700 ms of margin. Then nothing until the pause ends. With the pause
  // kept per process, the two other workers would send ~65 requests meanwhile.
  EXPECT_EQ(arrivals_between(arrivals, *at + 700ms, *at + 1900ms), 0U) << "a request reached the paused host";
  EXPECT_GT(arrivals_between(arrivals, *at + 1900ms, *at + 60s), 100U) << "the job went on after the pause";
  auto c = testing::collect(job, dir.path());
  EXPECT_EQ(c.per_index.size(), static_cast<std::size_t>(items));
  EXPECT_EQ(c.per_outcome["ok"], static_cast<std::size_t>(items)) << "the refused item was retried";
}

// The shared rate as the bucket in Redis holds it ("tokens last_ms rate last_decrease_ms"); 0 before
// the first lease.
double shared_rate(const testing::redis_server& redis, const std::string& job, const std::string& host) {
  std::istringstream fields(redis.cli({"HGET", "serentak:" + job + ":hostrate", host}));
  double tokens = 0;
  double last = 0;
  double rate = 0;
  fields >> tokens >> last >> rate;
  return rate;
}

TEST(job_politeness, adaptive_lowers_the_shared_rate_once_per_congestion_and_raises_it_on_answers) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  // Six 503s (no Retry-After) in a row, once the workers are under way: one congestion event.
  testing::scripted_http_server server([](const testing::scripted_request& request) {
    if (request.sequence >= 60 && request.sequence < 66) return testing::scripted_reply::respond(503, "busy");
    return testing::scripted_reply::respond(200, "ok");
  });
  const std::string job = "adaptive";
  constexpr int items = 360;
  auto push =
      run_job({"push", redis.url(job), "--url", server.url("/p?id={}"), "-i", testing::write_items(dir.path(), items),
               "--host-rate", "60/s", "--adaptive", "--retries", "3", "--timeout", "5"});
  ASSERT_EQ(push.exit_code, 0) << push.err;
  auto workers = start_three(redis.url(job), dir);
  const std::string host = "http://127.0.0.1:" + std::to_string(server.port());
  double lowest = 1e9;
  const auto until = clock_type::now() + 60s;
  while (server.requests_seen() < static_cast<std::size_t>(items) && clock_type::now() < until) {
    const double rate = shared_rate(redis, job, host);
    if (rate > 0) lowest = std::min(lowest, rate);
    std::this_thread::sleep_for(20ms);
  }
  wait_all(workers);
  const double last = shared_rate(redis, job, host);
  std::cout << "adaptive shared rate: lowest " << lowest << "/s, at the end " << last << "/s\n";
  EXPECT_NEAR(lowest, 54.0, 3.0) << "60 x 0.9, once (the six 503s within a second are one congestion event), "
                                    "then raised a little by the answers before the next look; twice would be 48.6";
  EXPECT_GT(last, lowest + 1.0) << "the answers after it raised the rate again";
  EXPECT_LE(last, 60.0) << "never above --host-rate";
  auto c = testing::collect(redis.url(job), dir.path());
  EXPECT_EQ(c.per_outcome["ok"], static_cast<std::size_t>(items)) << "the refused items were retried";
}

TEST(job_politeness, with_redis_gone_a_worker_falls_back_to_its_share_and_finishes_once_it_is_back) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  testing::scripted_http_server server(
      [](const testing::scripted_request&) { return testing::scripted_reply::respond(200, "ok"); });
  const std::string job = redis.url("outage");
  constexpr int items = 240;
  auto push = run_job({"push", job, "--url", server.url("/p?id={}"), "-i", testing::write_items(dir.path(), items),
                       "--host-rate", "20/s", "--timeout", "5"});
  ASSERT_EQ(push.exit_code, 0) << push.err;
  // -c 100: it holds 100 items at a time, which unlimited it would send at once.
  auto worker = testing::start_worker(job, {"-c", "100", "--threads", "1"}, dir.path(), "alone");
  const auto until = clock_type::now() + 20s;
  while (server.requests_seen() < 20 && clock_type::now() < until) std::this_thread::sleep_for(10ms);
  ASSERT_GE(server.requests_seen(), 20U) << worker->err();

  // The items it holds go on at its share of the rate (alone: the whole 20/s), neither stopped
  // nor unlimited, and once Redis is back the job completes.
  redis.kill();
  const auto killed = clock_type::now();
  std::this_thread::sleep_for(2s);
  const std::size_t while_down = arrivals_between(server.arrival_times(), killed, killed + 2s);
  ASSERT_TRUE(redis.start());
  auto status = worker->wait(60s);
  ASSERT_TRUE(status.has_value()) << worker->err();
  EXPECT_EQ(*status, 0) << worker->err();
  EXPECT_GE(while_down, 20U) << "the worker stopped sending while Redis was down";
  EXPECT_LE(while_down, 2U * 20U + 6U) << "at most 2 s of 20/s, plus the tokens leased before";
  EXPECT_NE(worker->err().find("host rates: while Redis is unreachable"), std::string::npos) << worker->err();
  auto c = testing::collect(job, dir.path());
  EXPECT_EQ(c.per_index.size(), static_cast<std::size_t>(items));
  for (const auto& [index, count] : c.per_index) EXPECT_EQ(count, 1) << "index " << index;
}

}  // namespace
}  // namespace serentak
