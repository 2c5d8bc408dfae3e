// The engine's global rate limit, measured where it matters: request arrivals at the scripted
// server, over two seconds and more, with several workers competing for the one token bucket.
#include "client/engine/engine.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "client/inputs/vector_source.hpp"
#include "support/scripted_http_server.hpp"
#include "support/transport_param.hpp"

namespace serentak::client {
namespace {

using namespace std::chrono_literals;
using testing::scripted_http_server;
using testing::scripted_reply;
using testing::scripted_request;
using clock_type = std::chrono::steady_clock;

const curl_global curl_for_engine_rate_tests;  // before any test starts a thread

// Counts finishes and keeps results; thread-safe.
class counting_observer : public fetch_observer {
 public:
  void on_start(const fetch_request&) override {}
  void on_finish(const fetch_request& request, const fetch_result& result) override {
    std::lock_guard lock(mutex_);
    ++finishes_[request.index];
    results_[request.index] = result;
  }
  std::size_t finished() const {
    std::lock_guard lock(mutex_);
    return finishes_.size();
  }
  bool each_once() const {
    std::lock_guard lock(mutex_);
    for (const auto& [index, n] : finishes_) {
      if (n != 1) return false;
    }
    return true;
  }
  fetch_result result(std::size_t index) const {
    std::lock_guard lock(mutex_);
    auto it = results_.find(index);
    return it == results_.end() ? fetch_result{} : it->second;
  }

 private:
  mutable std::mutex mutex_;  // guards both maps
  std::map<std::size_t, int> finishes_;
  std::map<std::size_t, fetch_result> results_;
};

std::vector<fetch_request> rate_requests_for(const scripted_http_server& server, std::size_t count) {
  std::vector<fetch_request> requests;
  for (std::size_t i = 0; i < count; ++i) {
    requests.push_back({i, "item" + std::to_string(i), server.url("/item/" + std::to_string(i))});
  }
  return requests;
}

engine_config rate_config(double rate, std::size_t concurrency, unsigned threads) {
  engine_config config;
  config.concurrency = concurrency;
  config.threads = threads;
  config.rate_per_second = rate;
  config.transport = testing::current_transport();
  return config;
}

// Every test runs once with libcurl and once with the native transport.
class engine_rate : public testing::transport_test {};
SERENTAK_FOR_EACH_TRANSPORT(engine_rate);

// Requests per second between the first and the last arrival.
double measured_rate(const std::vector<clock_type::time_point>& arrivals) {
  if (arrivals.size() < 2) return 0;
  const double seconds = std::chrono::duration<double>(arrivals.back() - arrivals.front()).count();
  return static_cast<double>(arrivals.size() - 1) / seconds;
}

// The most arrivals within any window of `width` that starts at an arrival.
std::size_t busiest_window(const std::vector<clock_type::time_point>& arrivals, clock_type::duration width) {
  std::size_t most = 0;
  for (std::size_t first = 0, last = 0; first < arrivals.size(); ++first) {
    while (last < arrivals.size() && arrivals[last] - arrivals[first] < width) ++last;
    most = std::max(most, last - first);
  }
  return most;
}

TEST_P(engine_rate, fifty_per_second_holds_within_ten_percent_over_two_seconds) {
  scripted_http_server server([](const scripted_request&) { return scripted_reply::respond(200, "{}"); });
  constexpr std::size_t items = 130;  // 2.6 s at 50/s
  counting_observer observer;
  vector_source source(rate_requests_for(server, items));
  const auto started = clock_type::now();
  const engine_report report = run_engine(rate_config(50, 20, 2), source, observer);
  const auto wall = clock_type::now() - started;

  EXPECT_EQ(report.finished, items);
  EXPECT_TRUE(observer.each_once());
  const std::vector<clock_type::time_point> arrivals = server.arrival_times();
  ASSERT_EQ(arrivals.size(), items);
  const double rate = measured_rate(arrivals);
  EXPECT_GE(rate, 45.0);
  EXPECT_LE(rate, 55.0);
  EXPECT_LE(busiest_window(arrivals, 1s), 55U) << "a burst beyond the bucket";
  EXPECT_GE(wall, 2400ms);
}

TEST_P(engine_rate, retries_take_tokens_too) {
  // Every item's first attempt is a 503 with "Retry-After: 0": 60 items make 120 requests,
  // all through the same 40/s gate.
  std::mutex mutex;
  std::map<std::string, int> attempts;
  scripted_http_server server([&](const scripted_request& request) {
    std::lock_guard lock(mutex);
    if (++attempts[request.target] == 1) return scripted_reply::respond(503).with_header("Retry-After", "0");
    return scripted_reply::respond(200, "{}");
  });
  engine_config config = rate_config(40, 10, 2);
  config.retry.max_retries = 2;
  constexpr std::size_t items = 60;
  counting_observer observer;
  vector_source source(rate_requests_for(server, items));
  run_engine(config, source, observer);

  EXPECT_EQ(observer.finished(), items);
  for (std::size_t i = 0; i < items; ++i) EXPECT_EQ(observer.result(i).attempts, 2) << i;
  const std::vector<clock_type::time_point> arrivals = server.arrival_times();
  ASSERT_EQ(arrivals.size(), 2 * items);
  const double rate = measured_rate(arrivals);
  EXPECT_GE(rate, 36.0);
  EXPECT_LE(rate, 44.0) << "retries bypassed the rate limit";
}

TEST_P(engine_rate, a_burst_goes_at_once_then_the_rate_holds) {
  scripted_http_server server([](const scripted_request&) { return scripted_reply::respond(200, "{}"); });
  engine_config config = rate_config(10, 10, 1);
  config.rate_burst = 5;
  constexpr std::size_t items = 15;
  counting_observer observer;
  vector_source source(rate_requests_for(server, items));
  run_engine(config, source, observer);

  const std::vector<clock_type::time_point> arrivals = server.arrival_times();
  ASSERT_EQ(arrivals.size(), items);
  EXPECT_LT(arrivals[4] - arrivals[0], 150ms) << "the first five are the burst";
  // The remaining ten at 10/s: about 1 s after the burst.
  const auto rest = std::chrono::duration<double>(arrivals.back() - arrivals[4]).count();
  EXPECT_GE(rest, 0.9);
  EXPECT_LE(rest, 1.3);
}

TEST_P(engine_rate, a_stop_while_waiting_for_a_token_is_noticed_promptly) {
  scripted_http_server server([](const scripted_request&) { return scripted_reply::respond(200, "{}"); });
  engine_config config = rate_config(0.5, 4, 2);  // one token now, the next in 2 s
  counting_observer observer;
  vector_source source(rate_requests_for(server, 10));
  std::atomic<bool> stop{false};
  clock_type::time_point stopped_at;
  std::jthread stopper([&] {
    std::this_thread::sleep_for(500ms);
    stopped_at = clock_type::now();
    stop = true;
  });
  const engine_report report = run_engine(config, source, observer, &stop);
  const auto returned_at = clock_type::now();
  stopper.join();

  EXPECT_LT(returned_at - stopped_at, 400ms);
  // One sent; each of the two workers may hold one more, taken while it waited for a token and
  // ended unsent by the stop: every request taken finishes once.
  EXPECT_GE(report.admitted, 1U);
  EXPECT_LE(report.admitted, 3U);
  EXPECT_EQ(report.finished, report.admitted);
  EXPECT_EQ(server.requests_seen(), 1U);
}

// A worker waiting for a token still learns at once that its source has nothing more: the run ends
// when its last request does, not a token interval later for each worker thread (a minute each at
// --rate 1/m), and no token is spent on learning it.
TEST_P(engine_rate, the_end_of_the_source_is_found_without_waiting_for_a_token) {
  scripted_http_server server([](const scripted_request&) { return scripted_reply::respond(200, "{}"); });
  for (unsigned threads : {1U, 4U}) {
    engine_config config = rate_config(1.0 / 60, 8, threads);  // one token now, the next in a minute
    counting_observer observer;
    vector_source source(rate_requests_for(server, 1));
    const auto started = clock_type::now();
    const engine_report report = run_engine(config, source, observer);
    EXPECT_LT(clock_type::now() - started, 5s) << threads << " threads";
    EXPECT_EQ(report.admitted, 1U);
    EXPECT_EQ(report.finished, 1U);
  }
  // Three at one per second take two intervals whatever the threads: no token is lost to the end.
  for (unsigned threads : {1U, 4U}) {
    counting_observer observer;
    vector_source source(rate_requests_for(server, 3));
    const auto started = clock_type::now();
    run_engine(rate_config(1.0, 8, threads), source, observer);
    EXPECT_LT(clock_type::now() - started, 2900ms) << threads << " threads";
  }
}

TEST_P(engine_rate, rejects_a_bad_rate) {
  vector_source source({{0, "x", "http://127.0.0.1:1/x"}});
  counting_observer observer;
  for (double rate : {0.0, -5.0, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    EXPECT_THROW(run_engine(rate_config(rate, 1, 1), source, observer), std::invalid_argument) << rate;
  }
  engine_config small_burst = rate_config(10, 1, 1);
  small_burst.rate_burst = 0.5;
  EXPECT_THROW(run_engine(small_burst, source, observer), std::invalid_argument);
  EXPECT_EQ(source.taken(), 0U);
}

}  // namespace
}  // namespace serentak::client
