// Per-host politeness (--per-host, --host-rate, --adaptive) measured at the server: how many
// requests it held at once, when they arrived, and, against a server limited to 50 requests a
// second, how many 429s the client drew with and without --adaptive.
#include "client/engine/engine.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <map>
#include <mutex>
#include <thread>
#include <string>
#include <vector>

#include "client/inputs/vector_source.hpp"
#include "core/token_bucket.hpp"
#include <nlohmann/json.hpp>

#include "support/process_runner.hpp"
#include "support/scripted_http_server.hpp"
#include "support/test_paths.hpp"
#include "support/transport_param.hpp"

namespace serentak::client {
namespace {

using namespace std::chrono_literals;
using testing::scripted_http_server;
using testing::scripted_reply;
using testing::scripted_request;
using clock_type = std::chrono::steady_clock;

const curl_global curl_for_host_politeness_tests;  // before any test starts a thread

class null_observer : public fetch_observer {
 public:
  void on_start(const fetch_request&) override {}
  void on_finish(const fetch_request&, const fetch_result& result) override {
    finished_.fetch_add(1);
    if (result.kind == outcome::ok) ok_.fetch_add(1);
  }
  std::size_t finished() const { return finished_.load(); }
  std::size_t ok() const { return ok_.load(); }

 private:
  std::atomic<std::size_t> finished_{0};
  std::atomic<std::size_t> ok_{0};
};

std::vector<fetch_request> politeness_requests_for(const scripted_http_server& server, std::size_t count) {
  std::vector<fetch_request> requests;
  for (std::size_t i = 0; i < count; ++i) {
    requests.push_back({i, "item" + std::to_string(i), server.url("/item/" + std::to_string(i))});
  }
  return requests;
}

engine_config polite_config(std::size_t concurrency) {
  engine_config config;
  config.concurrency = concurrency;
  config.threads = 2;
  config.transport = testing::current_transport();
  return config;
}

class host_politeness : public testing::transport_test {};
SERENTAK_FOR_EACH_TRANSPORT(host_politeness);

TEST_P(host_politeness, per_host_caps_what_the_server_holds_at_once) {
  scripted_http_server server([](const scripted_request&) { return scripted_reply::respond(200, "{}", 30ms); });
  engine_config config = polite_config(40);
  config.hosts.max_in_flight = 3;
  null_observer observer;
  vector_source source(politeness_requests_for(server, 60));
  const engine_report report = run_engine(config, source, observer);

  EXPECT_EQ(report.finished, 60U);
  EXPECT_EQ(observer.ok(), 60U);
  EXPECT_LE(server.max_concurrent(), 3U);
  EXPECT_GE(server.max_concurrent(), 2U) << "the cap, not one at a time";
  ASSERT_EQ(report.hosts.size(), 1U);
  EXPECT_EQ(report.hosts[0].host, "http://127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(report.hosts[0].counts.attempts, 60U);
}

TEST_P(host_politeness, a_stop_ends_every_request_held_by_a_paused_host_exactly_once) {
  // Every answer pauses the host for a minute: the first wave is answered, the rest wait held.
  scripted_http_server server([](const scripted_request&) {
    return scripted_reply::respond(429, "{}").with_header("Retry-After", "60");
  });
  engine_config config = polite_config(8);
  config.hosts.max_in_flight = 4;
  class ordered_observer : public fetch_observer {
   public:
    void on_start(const fetch_request& request) override {
      std::lock_guard lock(mutex_);
      started_.push_back(request.index);
    }
    void on_finish(const fetch_request& request, const fetch_result&) override {
      std::lock_guard lock(mutex_);
      if (std::find(started_.begin(), started_.end(), request.index) == started_.end()) ++finished_unstarted_;
      ++finishes_[request.index];
    }
    std::mutex mutex_;  // guards the three below
    std::vector<std::size_t> started_;
    std::map<std::size_t, int> finishes_;
    int finished_unstarted_ = 0;
  } observer;
  vector_source source(politeness_requests_for(server, 40));
  std::atomic<bool> stop{false};
  std::thread stopper([&] {
    std::this_thread::sleep_for(400ms);
    stop = true;
  });
  const engine_report report = run_engine(config, source, observer, &stop);
  stopper.join();

  EXPECT_EQ(report.finished, report.admitted);
  EXPECT_LE(server.requests_seen(), 4U) << "nothing more was sent to the paused host";
  std::lock_guard lock(observer.mutex_);
  EXPECT_EQ(observer.finished_unstarted_, 0);
  for (const auto& [index, n] : observer.finishes_) EXPECT_EQ(n, 1) << index;
  EXPECT_EQ(observer.finishes_.size(), report.admitted);
}

TEST_P(host_politeness, host_rate_spaces_the_arrivals) {
  scripted_http_server server([](const scripted_request&) { return scripted_reply::respond(200, "{}"); });
  engine_config config = polite_config(20);
  config.hosts.rate_per_second = 40.0;
  null_observer observer;
  vector_source source(politeness_requests_for(server, 81));  // 2 s at 40/s
  run_engine(config, source, observer);

  const std::vector<clock_type::time_point> arrivals = server.arrival_times();
  ASSERT_EQ(arrivals.size(), 81U);
  const double seconds = std::chrono::duration<double>(arrivals.back() - arrivals.front()).count();
  EXPECT_NEAR(80.0 / seconds, 40.0, 4.0);
}

// A route that lets 50 requests a second through (a bucket of 50, refilled at 50/s) and answers
// the rest 429 with Retry-After: 1, the way a platform's API does. Records each answer's time
// and status.
class limited_route {
 public:
  scripted_reply answer(const scripted_request&) {
    std::lock_guard lock(mutex_);
    clock_type::duration wait{};
    const auto now = clock_type::now();
    const bool allowed = bucket_.try_take(now, wait);
    answers_.push_back({now, allowed});
    if (allowed) return scripted_reply::respond(200, "{}");
    return scripted_reply::respond(429, "{}").with_header("Retry-After", "1");
  }
  // The share of answers after `from` that were 429.
  double refused_share_after(clock_type::time_point from) const {
    std::lock_guard lock(mutex_);
    std::size_t all = 0, refused = 0;
    for (const auto& a : answers_) {
      if (a.at < from) continue;
      ++all;
      if (!a.allowed) ++refused;
    }
    return all == 0 ? 1.0 : static_cast<double>(refused) / static_cast<double>(all);
  }

 private:
  struct answer_seen {
    clock_type::time_point at;
    bool allowed;
  };
  mutable std::mutex mutex_;  // guards bucket_ and answers_
  token_bucket bucket_{50.0, 50.0, clock_type::now()};
  std::vector<answer_seen> answers_;
};

TEST(host_politeness_adaptive, settles_near_the_limit_and_stops_drawing_429s) {
  limited_route route;
  scripted_http_server server([&](const scripted_request& r) { return route.answer(r); });
  engine_config config = polite_config(20);
  config.transport = transport_choice::automatic;
  config.hosts.adaptive = true;
  null_observer observer;
  vector_source source(politeness_requests_for(server, 450));  // about 10 s near 50/s
  const auto started = clock_type::now();
  const engine_report report = run_engine(config, source, observer, nullptr);

  EXPECT_EQ(report.finished, 450U);
  ASSERT_EQ(report.hosts.size(), 1U);
  ASSERT_TRUE(report.hosts[0].final_rate.has_value());
  EXPECT_NEAR(*report.hosts[0].final_rate, 50.0, 7.5) << "within 15% of the route's limit";
  EXPECT_LT(route.refused_share_after(started + 3s), 0.05);
  EXPECT_GT(report.hosts[0].counts.seen_429, 0U) << "the limit was found, not guessed";
}

TEST(host_politeness_adaptive, without_it_most_attempts_draw_429) {
  limited_route route;
  scripted_http_server server([&](const scripted_request& r) { return route.answer(r); });
  engine_config config = polite_config(20);
  config.transport = transport_choice::automatic;
  null_observer observer;
  vector_source source(politeness_requests_for(server, 450));
  run_engine(config, source, observer, nullptr);

  EXPECT_LT(observer.ok(), 450U / 2);
}

TEST(host_politeness_cli, the_summary_shows_each_host_and_bad_rates_are_refused) {
  scripted_http_server server([](const scripted_request&) { return scripted_reply::respond(200, "{}"); });
  testing::scratch_dir dir;
  const std::string bin = testing::binary_path().string();
  const std::string url = server.url("/p?id={}");
  const testing::process_result run =
      testing::run_process({bin, "fetch", "--url", url, "1", "2", "3", "4", "5", "--per-host", "2", "--host-rate",
                            "100/s", "--adaptive", "--no-log", "--summary", "json", "-q"},
                           30s, dir.path().string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string last_line = run.out.substr(run.out.rfind("{\"items\""));
  const auto summary = nlohmann::json::parse(last_line, nullptr, false);
  ASSERT_FALSE(summary.is_discarded()) << run.out;
  ASSERT_EQ(summary["hosts"].size(), 1U) << run.out;
  EXPECT_EQ(summary["hosts"][0]["host"], "http://127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(summary["hosts"][0]["attempts"], 5);
  EXPECT_EQ(summary["hosts"][0]["status_429"], 0);
  EXPECT_DOUBLE_EQ(summary["hosts"][0]["final_rate_per_s"].get<double>(), 100.0);

  const testing::process_result bad = testing::run_process(
      {bin, "fetch", "--url", url, "1", "--host-rate", "fast", "--no-log"}, 30s, dir.path().string());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--host-rate 'fast' is not a rate"), std::string::npos) << bad.err;
  EXPECT_EQ(server.requests_seen(), 5U) << "nothing sent by the refused run";
}

}  // namespace
}  // namespace serentak::client
