// monitor_runner in-process (issue 16): the alert hook sees each health change with what failed,
// a confirm burst re-checks at once before declaring down, and the health comes back up after
// success-threshold passes. The server is scripted and flipped by the test; intervals are 100 ms.
#include "monitor/monitor_runner.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "client/engine/engine.hpp"
#include "monitor/monitor_config.hpp"
#include "support/polling.hpp"
#include "support/scripted_http_server.hpp"
#include "support/test_paths.hpp"

namespace serentak::monitor {
namespace {

using namespace std::chrono_literals;
using testing::scripted_http_server;
using testing::scripted_reply;
using testing::scripted_request;

const client::curl_global curl_for_monitor_runner_tests;

// Records the alert hook's calls; the hook runs on engine threads (mutex_ guards events_).
class alert_recorder {
 public:
  alert_hook hook() {
    return [this](const endpoint_config& endpoint, const alert_event& event) {
      std::lock_guard lock(mutex_);
      events_.push_back({endpoint.name, event});
    };
  }
  std::vector<std::pair<std::string, alert_event>> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::pair<std::string, alert_event>> events_;
};

using testing::wait_for;

TEST(monitor_runner, the_alert_hook_sees_down_after_a_confirm_burst_and_up_again) {
  std::atomic<bool> failing{false};
  std::atomic<int> refused{0};  // 503s answered: a request seen just before `failing` may still get one
  scripted_http_server server([&failing, &refused](const scripted_request&) {
    if (!failing.load()) return scripted_reply::respond(200, "ok");
    refused.fetch_add(1);
    return scripted_reply::respond(503, "busy");
  });
  const std::string text =
      "endpoints:\n"
      "  - name: api\n"
      "    url: " +
      server.url("/health?token=secret") +
      "\n"
      "    interval: 100ms\n"
      "    timeout: 2s\n"
      "    failure-threshold: 2\n"
      "    success-threshold: 2\n"
      "    confirm: 2\n"
      "    conditions: [\"[STATUS] == 200\"]\n";
  monitor_file_result loaded = parse_monitor_text(text, "api.yaml");
  ASSERT_TRUE(loaded.ok()) << loaded.errors.front().render();

  testing::scratch_dir dir;
  alert_recorder alerts;
  monitor_runner_options options;
  options.db_path = (dir.path() / "api.db").string();
  options.on_alert = alerts.hook();
  monitor_runner runner(loaded.config, options);
  monitor_report report;
  std::thread run([&] { report = runner.run(); });

  ASSERT_TRUE(wait_for([&] { return alerts.events().size() == 1; }, 3s)) << "no first change (unknown -> up)";
  failing.store(true);
  ASSERT_TRUE(wait_for([&] { return alerts.events().size() == 2; }, 3s)) << "never went down";
  const int refused_at_down = refused.load();
  failing.store(false);
  ASSERT_TRUE(wait_for([&] { return alerts.events().size() == 3; }, 3s)) << "never came back up";
  runner.request_stop();
  run.join();

  const auto events = alerts.events();
  EXPECT_EQ(events[0].second.from, health::unknown);
  EXPECT_EQ(events[0].second.to, health::up);
  EXPECT_EQ(events[1].second.from, health::up);
  EXPECT_EQ(events[1].second.to, health::down);
  EXPECT_TRUE(events[1].second.triggered());
  EXPECT_NE(events[1].second.failed_conditions.find("[STATUS] (503) == 200"), std::string::npos)
      << events[1].second.failed_conditions;
  EXPECT_EQ(events[1].second.url.find("secret"), std::string::npos) << "the alert shows the URL redacted";
  EXPECT_EQ(events[2].second.to, health::up);
  EXPECT_TRUE(events[2].second.resolved());
  EXPECT_TRUE(events[2].second.failed_conditions.empty());
  // Down takes 2 failed checks, then the 2 re-checks of the burst: at least 4 requests, and the
  // re-checks do not wait for the next 100 ms tick.
  EXPECT_GE(refused_at_down, 4);

  EXPECT_EQ(report.dropped, 0u);
  EXPECT_EQ(report.failed_batches, 0u);
  EXPECT_TRUE(report.engine_error.empty()) << report.engine_error;
  EXPECT_GE(report.checks, 7u);
  EXPECT_EQ(report.written, report.checks) << "every judged check, re-checks included, is in the history";
  history_store store(options.db_path);
  EXPECT_EQ(store.count_checks(), report.checks);
  EXPECT_EQ(store.load_states().at("api").state, health::up);
}

// A refuted burst: the re-checks pass, so the endpoint stays up and the failure count restarts.
TEST(monitor_runner, a_confirm_burst_that_passes_keeps_the_endpoint_up) {
  std::atomic<int> to_fail{0};  // the next N requests fail
  scripted_http_server server([&to_fail](const scripted_request&) {
    if (to_fail.load() > 0) {
      to_fail.fetch_sub(1);
      return scripted_reply::respond(500, "no");
    }
    return scripted_reply::respond(200, "ok");
  });
  const std::string text =
      "endpoints:\n"
      "  - name: flaky\n"
      "    url: " +
      server.url("/") +
      "\n"
      "    interval: 100ms\n"
      "    failure-threshold: 2\n"
      "    confirm: 1\n";
  monitor_file_result loaded = parse_monitor_text(text, "flaky.yaml");
  ASSERT_TRUE(loaded.ok()) << loaded.errors.front().render();
  testing::scratch_dir dir;
  alert_recorder alerts;
  monitor_runner_options options;
  options.db_path = (dir.path() / "flaky.db").string();
  options.on_alert = alerts.hook();
  monitor_runner runner(loaded.config, options);
  monitor_report report;
  std::thread run([&] { report = runner.run(); });
  ASSERT_TRUE(wait_for([&] { return alerts.events().size() == 1; }, 3s));
  to_fail.store(2);  // two ticks fail; the burst's one re-check passes
  ASSERT_TRUE(wait_for([&] { return to_fail.load() == 0; }, 3s));
  // The burst's re-check and one more tick after it: the burst has been judged by then.
  const auto seen = server.requests_seen();
  ASSERT_TRUE(wait_for([&] { return server.requests_seen() >= seen + 2; }, 5s));
  runner.request_stop();
  run.join();
  const auto events = alerts.events();
  ASSERT_EQ(events.size(), 1u) << "a refuted burst must not change the state";
  history_store store(options.db_path);
  const auto state = store.load_states().at("flaky");
  EXPECT_EQ(state.state, health::up);
  EXPECT_EQ(state.failure_streak, 0);
}

}  // namespace
}  // namespace serentak::monitor
