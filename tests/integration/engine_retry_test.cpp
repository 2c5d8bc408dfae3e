// Retries in the engine, against the scripted server: which outcomes are retried, how long the
// engine waits (Retry-After in both forms, capped; backoff with full jitter), that a waiting
// retry holds no transfer slot, and that stop ends a wait at once. Server-side clocks and counts
// are the evidence, not the engine's own word.
#include "client/engine/engine.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "client/inputs/vector_source.hpp"
#include "support/recording_observer.hpp"
#include "support/scripted_http_server.hpp"
#include "support/transport_param.hpp"

namespace serentak::client {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using testing::recording_observer;
using testing::retry_event;
using testing::scripted_http_server;
using testing::scripted_reply;
using testing::scripted_request;
using clock_type = std::chrono::steady_clock;

const curl_global curl_for_engine_retry_tests;  // before any test starts a thread

// Counts attempts per target, so a script can say "attempt 1: 503; attempt 2: 200", and keeps
// each target's arrival times.
class attempt_book {
 public:
  int next_attempt(const scripted_request& request) {
    std::lock_guard lock(mutex_);
    arrivals_[request.target].push_back(request.arrived);
    return ++attempts_[request.target];
  }
  int attempts(const std::string& target) const {
    std::lock_guard lock(mutex_);
    auto it = attempts_.find(target);
    return it == attempts_.end() ? 0 : it->second;
  }
  std::vector<clock_type::time_point> arrivals(const std::string& target) const {
    std::lock_guard lock(mutex_);
    auto it = arrivals_.find(target);
    return it == arrivals_.end() ? std::vector<clock_type::time_point>{} : it->second;
  }

 private:
  mutable std::mutex mutex_;  // guards both maps
  std::map<std::string, int> attempts_;
  std::map<std::string, std::vector<clock_type::time_point>> arrivals_;
};

std::string item_path(std::size_t index) { return "/item/" + std::to_string(index); }

std::vector<fetch_request> item_requests(const scripted_http_server& server, std::size_t count) {
  std::vector<fetch_request> requests;
  for (std::size_t i = 0; i < count; ++i) requests.push_back({i, "item" + std::to_string(i), server.url(item_path(i))});
  return requests;
}

engine_config retry_config(std::size_t concurrency, unsigned threads, int max_retries) {
  engine_config config;
  config.concurrency = concurrency;
  config.threads = threads;
  config.policy.timeout = 5s;
  config.retry.max_retries = max_retries;
  config.retry.base_delay = 10ms;
  config.retry.max_delay = 50ms;
  config.transport = testing::current_transport();
  return config;
}

engine_report run_retrying(const engine_config& config, std::vector<fetch_request> requests,
                           recording_observer& observer, const std::atomic<bool>* stop = nullptr) {
  vector_source source(std::move(requests));
  return run_engine(config, source, observer, stop);
}

milliseconds gap(clock_type::time_point from, clock_type::time_point to) {
  return std::chrono::duration_cast<milliseconds>(to - from);
}

// "Wed, 21 Oct 2015 07:28:00 GMT" for a wall-clock time.
std::string http_date(std::chrono::system_clock::time_point when) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &utc);
  return text;
}

// Every test runs once with libcurl and once with the native transport.
class engine_retry : public testing::transport_test {};
SERENTAK_FOR_EACH_TRANSPORT(engine_retry);

// --- Retry-After ------------------------------------------------------------------------------

TEST_P(engine_retry, item_7_waits_for_retry_after_seconds_then_succeeds) {
  attempt_book book;
  scripted_http_server server([&](const scripted_request& request) {
    const int attempt = book.next_attempt(request);
    if (request.target == item_path(7) && attempt == 1) {
      return scripted_reply::respond(503, "{\"error\":\"busy\"}").with_header("Retry-After", "1");
    }
    return scripted_reply::respond(200, "{\"ok\":true}");
  });
  recording_observer observer;
  const engine_report report = run_retrying(retry_config(10, 2, 3), item_requests(server, 10), observer);

  observer.expect_each_once(10);
  EXPECT_EQ(report.finished, 10U);
  const fetch_result seven = observer.result(7);
  EXPECT_EQ(seven.kind, outcome::ok) << seven.error;
  EXPECT_EQ(seven.attempts, 2);
  EXPECT_EQ(seven.body, "{\"ok\":true}");
  EXPECT_GE(seven.total, 950ms) << "total counts the wait";
  EXPECT_LT(seven.latency, seven.total) << "latency is the final attempt alone";
  for (std::size_t i = 0; i < 10; ++i) {
    if (i != 7) {
      EXPECT_EQ(observer.result(i).attempts, 1) << i;
    }
  }

  const std::vector<retry_event> retries = observer.retries();
  ASSERT_EQ(retries.size(), 1U);
  EXPECT_EQ(retries[0].index, 7U);
  EXPECT_EQ(retries[0].failed.kind, outcome::server_error);
  EXPECT_EQ(retries[0].failed.http_status, 503);
  EXPECT_EQ(retries[0].failed.attempts, 1);
  EXPECT_GE(retries[0].wait, 950ms);
  EXPECT_LE(retries[0].wait, 1000ms);

  const auto arrivals = book.arrivals(item_path(7));
  ASSERT_EQ(arrivals.size(), 2U);
  EXPECT_GE(gap(arrivals[0], arrivals[1]), 950ms) << "the server saw the retry too early";
  EXPECT_LT(gap(arrivals[0], arrivals[1]), 3000ms);
}

TEST_P(engine_retry, retry_after_as_an_http_date) {
  attempt_book book;
  scripted_http_server server([&](const scripted_request& request) {
    if (book.next_attempt(request) == 1) {
      // Whole seconds: 2 s ahead of now is between 1 and 2 s ahead of the exact instant.
      const auto when = std::chrono::system_clock::now() + 2s;
      return scripted_reply::respond(429).with_header("Retry-After", http_date(when));
    }
    return scripted_reply::respond(200, "{}");
  });
  recording_observer observer;
  run_retrying(retry_config(1, 1, 2), item_requests(server, 1), observer);

  observer.expect_each_once(1);
  EXPECT_EQ(observer.result(0).kind, outcome::ok) << observer.result(0).error;
  EXPECT_EQ(observer.result(0).attempts, 2);
  const std::vector<retry_event> retries = observer.retries();
  ASSERT_EQ(retries.size(), 1U);
  EXPECT_EQ(retries[0].failed.http_status, 429);
  EXPECT_GE(retries[0].wait, 900ms);
  EXPECT_LE(retries[0].wait, 2100ms);
  const auto arrivals = book.arrivals(item_path(0));
  ASSERT_EQ(arrivals.size(), 2U);
  EXPECT_GE(gap(arrivals[0], arrivals[1]), 900ms);
}

TEST_P(engine_retry, retry_after_is_capped) {
  attempt_book book;
  scripted_http_server server([&](const scripted_request& request) {
    if (book.next_attempt(request) == 1) return scripted_reply::respond(503).with_header("Retry-After", "30");
    return scripted_reply::respond(200, "{}");
  });
  engine_config config = retry_config(1, 1, 1);
  config.retry.max_retry_after = 300ms;
  recording_observer observer;
  const auto started = clock_type::now();
  run_retrying(config, item_requests(server, 1), observer);

  EXPECT_LT(clock_type::now() - started, 3s) << "a 30 s Retry-After was not capped";
  EXPECT_EQ(observer.result(0).kind, outcome::ok);
  ASSERT_EQ(observer.retries().size(), 1U);
  EXPECT_EQ(observer.retries()[0].wait, 300ms);
}

// --- what is retried ----------------------------------------------------------------------------

TEST_P(engine_retry, only_transient_statuses_are_retried) {
  const std::map<std::string, int> first_status{{"/item/0", 404}, {"/item/1", 400}, {"/item/2", 501},
                                                {"/item/3", 401}, {"/item/4", 408}, {"/item/5", 429},
                                                {"/item/6", 500}, {"/item/7", 502}, {"/item/8", 503},
                                                {"/item/9", 504}};
  attempt_book book;
  scripted_http_server server([&](const scripted_request& request) {
    if (book.next_attempt(request) == 1) return scripted_reply::respond(first_status.at(request.target), "{}");
    return scripted_reply::respond(200, "{}");
  });
  recording_observer observer;
  run_retrying(retry_config(10, 2, 3), item_requests(server, 10), observer);

  observer.expect_each_once(10);
  for (std::size_t i = 0; i < 4; ++i) {  // 404, 400, 501, 401: final at once
    const fetch_result result = observer.result(i);
    EXPECT_EQ(result.attempts, 1) << i;
    EXPECT_EQ(result.http_status, first_status.at(item_path(i))) << i;
    EXPECT_EQ(book.attempts(item_path(i)), 1) << "the server saw a retry of " << item_path(i);
    EXPECT_TRUE(observer.retries_of(i).empty());
  }
  for (std::size_t i = 4; i < 10; ++i) {  // 408, 429, 500, 502, 503, 504: once more, then 200
    const fetch_result result = observer.result(i);
    EXPECT_EQ(result.kind, outcome::ok) << i << ": " << result.error;
    EXPECT_EQ(result.attempts, 2) << i;
    EXPECT_EQ(book.attempts(item_path(i)), 2) << i;
    ASSERT_EQ(observer.retries_of(i).size(), 1U) << i;
    EXPECT_EQ(observer.retries_of(i)[0].failed.http_status, first_status.at(item_path(i)));
  }
}

TEST_P(engine_retry, timeouts_are_retried_up_to_max_retries) {
  attempt_book book;
  scripted_http_server server([&](const scripted_request& request) {
    book.next_attempt(request);
    return scripted_reply::hang();
  });
  engine_config config = retry_config(1, 1, 2);
  config.policy.timeout = 150ms;
  recording_observer observer;
  run_retrying(config, item_requests(server, 1), observer);

  observer.expect_each_once(1);
  const fetch_result result = observer.result(0);
  EXPECT_EQ(result.kind, outcome::timeout) << result.error;
  EXPECT_EQ(result.attempts, 3);
  EXPECT_GE(result.latency, 140ms);
  EXPECT_LT(result.latency, 1500ms) << "latency is the last attempt, not all three";
  EXPECT_GE(result.total, 3 * 140ms);
  EXPECT_EQ(observer.retries().size(), 2U);
  EXPECT_EQ(book.attempts(item_path(0)), 3);
}

TEST_P(engine_retry, refused_connections_are_retried_up_to_max_retries) {
  const std::string url = "http://127.0.0.1:" + std::to_string(testing::unused_local_port()) + "/x";
  recording_observer observer;
  run_retrying(retry_config(1, 1, 2), {{0, "item", url}}, observer);

  observer.expect_each_once(1);
  const fetch_result result = observer.result(0);
  EXPECT_EQ(result.kind, outcome::connection_error) << result.error;
  EXPECT_EQ(result.attempts, 3);
  const std::vector<retry_event> retries = observer.retries();
  ASSERT_EQ(retries.size(), 2U);
  EXPECT_EQ(retries[0].failed.attempts, 1);
  EXPECT_EQ(retries[1].failed.attempts, 2);
  EXPECT_EQ(retries[1].failed.kind, outcome::connection_error);
}

TEST_P(engine_retry, no_retries_by_default) {
  attempt_book book;
  scripted_http_server server([&](const scripted_request& request) {
    book.next_attempt(request);
    return scripted_reply::respond(503);
  });
  engine_config config;
  config.concurrency = 1;
  config.transport = testing::current_transport();
  recording_observer observer;
  run_retrying(config, item_requests(server, 1), observer);
  EXPECT_EQ(observer.result(0).kind, outcome::server_error);
  EXPECT_EQ(observer.result(0).attempts, 1);
  EXPECT_EQ(book.attempts(item_path(0)), 1);
  EXPECT_TRUE(observer.retries().empty());
}

// --- backoff ------------------------------------------------------------------------------------

TEST_P(engine_retry, backoff_without_retry_after_is_full_jitter_within_the_cap) {
  // base 40 ms, cap 60 ms: after attempt 1 the wait is in [0, 40], after attempts 2 and 3 in
  // [0, 60] (uncapped, attempt 3 would allow 160).
  attempt_book book;
  scripted_http_server server([&](const scripted_request& request) {
    if (book.next_attempt(request) <= 3) return scripted_reply::respond(503, "{}");
    return scripted_reply::respond(200, "{}");
  });
  engine_config config = retry_config(8, 2, 3);
  config.retry.base_delay = 40ms;
  config.retry.max_delay = 60ms;
  constexpr std::size_t items = 24;
  recording_observer observer;
  run_retrying(config, item_requests(server, items), observer);

  observer.expect_each_once(items);
  std::set<long long> distinct;
  for (std::size_t i = 0; i < items; ++i) {
    EXPECT_EQ(observer.result(i).kind, outcome::ok) << i;
    EXPECT_EQ(observer.result(i).attempts, 4) << i;
    const std::vector<retry_event> retries = observer.retries_of(i);
    ASSERT_EQ(retries.size(), 3U) << i;
    const auto arrivals = book.arrivals(item_path(i));
    ASSERT_EQ(arrivals.size(), 4U);
    for (std::size_t r = 0; r < retries.size(); ++r) {
      EXPECT_EQ(retries[r].failed.attempts, static_cast<int>(r) + 1);
      EXPECT_GE(retries[r].wait, 0ms);
      EXPECT_LE(retries[r].wait, r == 0 ? 40ms : 60ms) << "item " << i << " retry " << r;
      // The server never sees the next attempt before the wait is over.
      EXPECT_GE(gap(arrivals[r], arrivals[r + 1]), retries[r].wait - 2ms) << "item " << i << " retry " << r;
      distinct.insert(retries[r].wait.count());
    }
  }
  EXPECT_GE(distinct.size(), 5U) << "waits are not jittered";
}

// --- slots and stop -----------------------------------------------------------------------------

TEST_P(engine_retry, waiting_retries_hold_no_slot_and_in_flight_stays_within_concurrency) {
  attempt_book book;
  scripted_http_server server([&](const scripted_request& request) {
    if (book.next_attempt(request) == 1) return scripted_reply::respond(503, "{}", 30ms);
    return scripted_reply::respond(200, "{}", 30ms);
  });
  engine_config config = retry_config(4, 2, 2);
  config.retry.base_delay = 400ms;  // retries wait while new items keep the slots busy
  config.retry.max_delay = 400ms;
  constexpr std::size_t items = 40;
  recording_observer observer;
  const auto started = clock_type::now();
  const engine_report report = run_retrying(config, item_requests(server, items), observer);
  const auto wall = clock_type::now() - started;

  observer.expect_each_once(items);
  EXPECT_EQ(report.finished, items);
  for (std::size_t i = 0; i < items; ++i) EXPECT_EQ(observer.result(i).attempts, 2) << i;
  EXPECT_EQ(server.requests_seen(), 2 * items);
  EXPECT_LE(server.max_concurrent(), 4U);
  EXPECT_GE(server.max_concurrent(), 3U);
  // 80 requests of 30 ms on 4 slots is 600 ms, plus at most one 400 ms wait at the end: about
  // 1 s. If a waiting retry held its slot, each item would hold one for 30 + 0..400 + 30 ms,
  // 260 ms on average: 40 * 260 / 4 = 2.6 s.
  EXPECT_LT(wall, 1800ms);
}

TEST_P(engine_retry, stop_during_a_backoff_wait_ends_the_item_at_once) {
  attempt_book book;
  scripted_http_server server([&](const scripted_request& request) {
    book.next_attempt(request);
    return scripted_reply::respond(503).with_header("Retry-After", "30");
  });
  engine_config config = retry_config(2, 1, 3);
  recording_observer observer;
  std::atomic<bool> stop{false};
  clock_type::time_point stopped_at;
  std::jthread stopper([&] {
    std::this_thread::sleep_for(400ms);
    stopped_at = clock_type::now();
    stop = true;
  });
  const engine_report report = run_retrying(config, item_requests(server, 2), observer, &stop);
  const auto returned_at = clock_type::now();
  stopper.join();

  EXPECT_LT(returned_at - stopped_at, 500ms);
  EXPECT_EQ(report.admitted, 2U);
  EXPECT_EQ(report.finished, 2U);
  observer.expect_each_once(2);
  EXPECT_EQ(observer.retries().size(), 2U);
  for (std::size_t i = 0; i < 2; ++i) {
    const fetch_result result = observer.result(i);
    EXPECT_EQ(result.kind, outcome::unexpected);
    EXPECT_EQ(result.error, "cancelled");
    EXPECT_EQ(result.attempts, 1);
    EXPECT_GE(result.total, 300ms);
    EXPECT_EQ(book.attempts(item_path(i)), 1);
  }
}

// An observer whose on_retry throws: the retry goes ahead, the failure is reported once.
class throwing_retry_observer : public recording_observer {
 public:
  void on_retry(const fetch_request& request, const fetch_result& failed, milliseconds wait) override {
    recording_observer::on_retry(request, failed, wait);
    throw std::runtime_error("retry logging broke");
  }
};

TEST_P(engine_retry, an_on_retry_that_throws_does_not_stop_the_retry) {
  attempt_book book;
  scripted_http_server server([&](const scripted_request& request) {
    if (book.next_attempt(request) == 1) return scripted_reply::respond(502);
    return scripted_reply::respond(200, "{}");
  });
  throwing_retry_observer observer;
  vector_source source(item_requests(server, 3));
  const engine_report report = run_engine(retry_config(3, 1, 1), source, observer);

  observer.expect_each_once(3);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(observer.result(i).kind, outcome::ok) << i;
  EXPECT_NE(report.error.find("retry logging broke"), std::string::npos) << report.error;
}

TEST_P(engine_retry, rejects_bad_retry_settings) {
  vector_source source({{0, "x", "http://127.0.0.1:1/x"}});
  recording_observer observer;
  engine_config negative = retry_config(1, 1, -1);
  EXPECT_THROW(run_engine(negative, source, observer), std::invalid_argument);
  engine_config bad_delay = retry_config(1, 1, 1);
  bad_delay.retry.base_delay = -1ms;
  EXPECT_THROW(run_engine(bad_delay, source, observer), std::invalid_argument);
  EXPECT_EQ(source.taken(), 0U);
}

}  // namespace
}  // namespace serentak::client
