#include "monitor/endpoint_monitor.hpp"

#include <gtest/gtest.h>

namespace serentak::monitor {
namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

const steady::time_point endpoint_t0{std::chrono::hours{10}};
const wall_time endpoint_w0{std::chrono::seconds{1796428800}};

endpoint_config load_one(std::string_view yaml) {
  auto r = parse_monitor_text(yaml, "m.yaml");
  EXPECT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors[0].render());
  return r.config.endpoints.at(0);
}

finished_check check_answer(int n, long status, std::chrono::milliseconds took,
                            std::string body = R"({"status":"ok"})") {
  finished_check c;
  c.result.status = status;
  c.result.response_time = took;
  c.result.body = std::move(body);
  c.result.connected = status != 0;
  c.final_outcome = classify_status(status);
  c.timing = check_timing{endpoint_t0 + n * 1s, endpoint_t0 + n * 1s + 4ms};
  c.started_wall = endpoint_w0 + n * 1s + 4ms;
  return c;
}

constexpr std::string_view health_yaml = R"(endpoints:
  - name: health-ok
    url: http://127.0.0.1:5000/status/ok
    interval: 1s
    conditions:
      - "[STATUS] == 200"
      - "[BODY].status == ok"
      - "p95([RESPONSE_TIME], 10s) < 300"
)";

TEST(monitor_endpoint, a_check_becomes_a_record_and_a_decision) {
  const endpoint_config config = load_one(health_yaml);
  endpoint_monitor m(config);
  EXPECT_EQ(m.window().keep(), 10s) << "the window keeps what the longest condition reads";
  auto first = m.on_check(check_answer(0, 200, 20ms));
  EXPECT_EQ(first.verdict, check_verdict::pass);
  EXPECT_EQ(first.decision.what, health_decision::action::changed);
  EXPECT_EQ(first.decision.to, health::up);
  EXPECT_EQ(first.record.endpoint, "health-ok");
  EXPECT_EQ(first.record.started, endpoint_w0 + 4ms);
  EXPECT_EQ(first.record.due, endpoint_w0) << "due = start - lag";
  EXPECT_EQ(first.record.outcome, "ok");
  EXPECT_TRUE(first.record.passed);
  EXPECT_EQ(first.record.failed_conditions, "[]");

  // Three 500s in a row: down on the third, with the failed conditions and what they saw.
  for (int n = 1; n <= 3; ++n) {
    auto r = m.on_check(check_answer(n, 500, 15ms, R"({"status":"error"})"));
    EXPECT_EQ(r.verdict, check_verdict::fail);
    EXPECT_EQ(r.record.outcome, "server_error");
    EXPECT_EQ(r.decision.what, n < 3 ? health_decision::action::none : health_decision::action::changed) << n;
    EXPECT_EQ(r.record.failed_conditions,
              R"([{"condition":"[STATUS] == 200","explained":"[STATUS] (500) == 200","seen":"500"},)"
              R"({"condition":"[BODY].status == ok","explained":"[BODY].status (error) == ok","seen":"error"}])");
  }
  EXPECT_EQ(m.state().state, health::down);
  EXPECT_EQ(m.state().last_change, endpoint_w0 + 3s + 4ms);
}

TEST(monitor_endpoint, slow_but_correct_answers_degrade_through_the_window) {
  const endpoint_config config = load_one(health_yaml);
  endpoint_monitor m(config);
  m.on_check(check_answer(0, 200, 20ms));
  std::vector<check_verdict> verdicts;
  for (int n = 1; n <= 4; ++n) verdicts.push_back(m.on_check(check_answer(n, 200, 900ms)).verdict);
  // 20, 900: p95 of two is 900 already.
  EXPECT_EQ(verdicts, (std::vector<check_verdict>(4, check_verdict::window_failed)));
  EXPECT_EQ(m.state().state, health::degraded) << "up -> degraded after failure-threshold (3) degraded checks";
  // The slow checks leave the 10 s window: fast answers pass again, and two in a row make it up.
  auto later = m.on_check(check_answer(20, 200, 10ms));
  EXPECT_EQ(later.verdict, check_verdict::pass);
  EXPECT_TRUE(later.record.passed);
  m.on_check(check_answer(21, 200, 10ms));
  EXPECT_EQ(m.state().state, health::up);
}

TEST(monitor_endpoint, a_restored_state_continues_its_streak_and_confirm_bursts_are_decisions) {
  endpoint_config config = load_one(health_yaml);
  config.policy.confirm_checks = 2;
  health_state saved;
  saved.state = health::up;
  saved.failure_streak = 2;
  endpoint_monitor m(config, saved);
  auto r = m.on_check(check_answer(0, 0, 0ms, ""));
  EXPECT_EQ(r.record.status, 0);
  EXPECT_EQ(r.decision.what, health_decision::action::confirm);
  EXPECT_EQ(r.decision.confirm_checks, 2);
  EXPECT_EQ(m.confirm(2, endpoint_w0 + 1min).to, health::down);
  EXPECT_EQ(m.state().state, health::down);
}

TEST(monitor_endpoint, without_conditions_the_outcome_decides) {
  const endpoint_config config = load_one("endpoints:\n  - name: plain\n    url: http://127.0.0.1/\n");
  endpoint_monitor m(config);
  EXPECT_EQ(m.on_check(check_answer(0, 200, 5ms)).verdict, check_verdict::pass);
  auto nf = m.on_check(check_answer(1, 404, 5ms));
  EXPECT_EQ(nf.verdict, check_verdict::fail);
  EXPECT_EQ(nf.record.outcome, "not_found");
  EXPECT_EQ(nf.record.failed_conditions, "[]");
}

}  // namespace
}  // namespace serentak::monitor
