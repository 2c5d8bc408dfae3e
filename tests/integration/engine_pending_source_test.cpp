// work_source::next_due() (issue 16): a source that has nothing due yet but is not exhausted (the
// monitor's schedule) keeps the engine running, its items are taken once due, and a stop still
// ends the run promptly. A source without next_due() ends the run as before.
#include "client/engine/engine.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "client/inputs/vector_source.hpp"
#include "support/polling.hpp"
#include "support/recording_observer.hpp"
#include "support/scripted_http_server.hpp"

namespace serentak::client {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
using testing::recording_observer;
using testing::scripted_http_server;
using testing::scripted_reply;
using testing::scripted_request;

const curl_global curl_for_engine_pending_source_tests;

// Hands out `count` requests, each no earlier than its due time (first due after `delay`, then
// every `gap`); after the last it is still not exhausted ("nothing due for an hour").
// mutex_ guards everything: the engine's worker and the test read it.
class timed_source final : public work_source {
 public:
  timed_source(std::string url, std::size_t count, clock_type::time_point first, clock_type::duration gap)
      : url_(std::move(url)), count_(count), first_(first), gap_(gap) {}

  std::optional<fetch_request> next() override {
    std::lock_guard lock(mutex_);
    ++next_calls_;
    if (handed_.size() == count_ || clock_type::now() < due(handed_.size())) return std::nullopt;
    handed_.push_back(clock_type::now());
    return fetch_request{handed_.size() - 1, "item", url_};
  }
  std::optional<clock_type::time_point> next_due() override {
    std::lock_guard lock(mutex_);
    ++due_calls_;
    return handed_.size() == count_ ? clock_type::now() + 1h : due(handed_.size());
  }

  clock_type::time_point due(std::size_t i) const { return first_ + gap_ * static_cast<long>(i); }
  std::vector<clock_type::time_point> handed() const {
    std::lock_guard lock(mutex_);
    return handed_;
  }
  std::size_t due_calls() const {
    std::lock_guard lock(mutex_);
    return due_calls_;
  }
  std::size_t next_calls() const {
    std::lock_guard lock(mutex_);
    return next_calls_;
  }

 private:
  const std::string url_;
  const std::size_t count_;
  const clock_type::time_point first_;
  const clock_type::duration gap_;
  mutable std::mutex mutex_;
  std::vector<clock_type::time_point> handed_;
  std::size_t due_calls_ = 0;
  std::size_t next_calls_ = 0;
};

engine_config one_worker() {
  engine_config config;
  config.threads = 1;
  config.concurrency = 4;
  config.policy.timeout = 5s;
  return config;
}

using testing::wait_for;

TEST(engine_pending_source, items_due_later_are_taken_when_due_and_the_run_lasts_until_stopped) {
  scripted_http_server server([](const scripted_request&) { return scripted_reply::respond(200, "{}"); });
  const auto start = clock_type::now();
  timed_source source(server.url("/due"), 3, start + 50ms, 50ms);
  recording_observer observer;
  std::atomic<bool> stop{false};
  std::atomic<bool> returned{false};
  engine_report report;
  std::thread run([&] {
    report = run_engine(one_worker(), source, observer, &stop);
    returned.store(true);
  });

  ASSERT_TRUE(wait_for([&] { return observer.finishes().size() == 3; }, 5s)) << "the items due later were never taken";
  const auto handed = source.handed();
  ASSERT_EQ(handed.size(), 3u);
  for (std::size_t i = 0; i < handed.size(); ++i) {
    EXPECT_GE(handed[i], source.due(i)) << "item " << i << " was taken before it was due";
  }
  EXPECT_GE(source.due_calls(), 1u) << "the worker never asked the source when its next item is due";
  // Nothing more is due for an hour: the engine must still be running, not exhausted.
  std::this_thread::sleep_for(200ms);
  EXPECT_FALSE(returned.load()) << "the engine ended although the source was not exhausted";
  // ... and idle: it asks again at most every pending_poll, not in a busy loop.
  const std::size_t calls_before = source.next_calls();
  std::this_thread::sleep_for(200ms);
  EXPECT_LT(source.next_calls() - calls_before, 200u) << "an idle pending source is polled in a busy loop";

  const auto stop_at = clock_type::now();
  stop.store(true);
  run.join();
  const auto stop_took = clock_type::now() - stop_at;
  // The contract is ~100 ms (max_wait); the bound is loose for a shared 2-core machine.
  EXPECT_LT(stop_took, 1s) << "stop took " << std::chrono::duration_cast<std::chrono::milliseconds>(stop_took).count()
                           << " ms";
  observer.expect_each_once(3);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(observer.result(i).kind, outcome::ok);
  EXPECT_EQ(report.admitted, 3u);
  EXPECT_EQ(report.finished, 3u);
  EXPECT_TRUE(report.error.empty()) << report.error;
}

TEST(engine_pending_source, a_stop_while_nothing_was_ever_due_ends_the_run) {
  timed_source source("http://127.0.0.1:1/never", 1, clock_type::now() + 1h, 1h);
  recording_observer observer;
  std::atomic<bool> stop{false};
  std::atomic<bool> returned{false};
  std::thread run([&] {
    run_engine(one_worker(), source, observer, &stop);
    returned.store(true);
  });
  std::this_thread::sleep_for(150ms);
  EXPECT_FALSE(returned.load()) << "a source with a due time an hour away is not exhausted";
  stop.store(true);
  EXPECT_TRUE(wait_for([&] { return returned.load(); }, 2s)) << "stop did not end a run waiting for its source";
  run.join();
  EXPECT_TRUE(source.handed().empty());
  EXPECT_TRUE(observer.finishes().empty());
}

// A source that does not override next_due() (every source before it existed): exhausted at the
// first nullopt, as before.
TEST(engine_pending_source, a_source_without_next_due_still_ends_the_run_when_it_runs_dry) {
  scripted_http_server server([](const scripted_request&) { return scripted_reply::respond(200, "{}"); });
  vector_source source({{0, "a", server.url("/a")}, {1, "b", server.url("/b")}});
  recording_observer observer;
  engine_report report = run_engine(one_worker(), source, observer);
  observer.expect_each_once(2);
  EXPECT_EQ(report.finished, 2u);
}

// A next_due() that throws is a broken source: treated as exhausted and reported, like next().
TEST(engine_pending_source, a_next_due_that_throws_ends_the_run_with_the_error) {
  struct broken final : work_source {
    std::optional<fetch_request> next() override { return std::nullopt; }
    std::optional<clock_type::time_point> next_due() override { throw std::runtime_error("schedule lost"); }
  } source;
  recording_observer observer;
  engine_report report = run_engine(one_worker(), source, observer);
  EXPECT_NE(report.error.find("schedule lost"), std::string::npos) << report.error;
  EXPECT_EQ(report.admitted, 0u);
}

}  // namespace
}  // namespace serentak::client
