#include "monitor/health_state.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace serentak::monitor {
namespace {

using namespace std::chrono_literals;
using action = health_decision::action;
const std::chrono::system_clock::time_point health_t0{std::chrono::hours{500000}};

struct machine {
  health_state s;
  health_policy p;
  int minute = 0;
  health_decision feed(check_verdict v) { return apply(s, p, v, health_t0 + std::chrono::minutes(++minute)); }
  std::vector<health> run(std::vector<check_verdict> vs) {
    std::vector<health> out;
    for (auto v : vs) out.push_back((feed(v), s.state));
    return out;
  }
};

constexpr auto P = check_verdict::pass;
constexpr auto F = check_verdict::fail;
constexpr auto R = check_verdict::pass_after_retry;
constexpr auto W = check_verdict::window_failed;
constexpr auto U = health::up;
constexpr auto D = health::down;
constexpr auto G = health::degraded;
constexpr auto N = health::unknown;

TEST(monitor_health_state, defaults_are_three_failures_down_two_successes_up) {
  machine m;
  EXPECT_EQ(m.p.failure_threshold, 3);
  EXPECT_EQ(m.p.success_threshold, 2);
  EXPECT_EQ(m.run({P, F, F, P, F, F, F, F, P, F, P, P}), (std::vector<health>{U, U, U, U, U, U, D, D, D, D, D, U}));
}

TEST(monitor_health_state, the_first_answer_decides_from_unknown_except_failures_which_need_the_threshold) {
  machine m;
  EXPECT_EQ(m.run({F, F, F}), (std::vector<health>{N, N, D}));
  machine m2;
  EXPECT_EQ(m2.run({R}), (std::vector<health>{G}));
}

TEST(monitor_health_state, degraded_after_retries_or_window_failures_with_hysteresis) {
  machine m;
  EXPECT_EQ(m.run({P, R, W, P, R, R, W, P, R, P, P}), (std::vector<health>{U, U, U, U, U, U, G, G, G, G, U}));
  // Down recovers straight to what the recovering verdicts say.
  machine d;
  EXPECT_EQ(d.run({F, F, F, W, R}), (std::vector<health>{N, N, D, D, G}));
}

TEST(monitor_health_state, changes_are_reported_with_from_to_and_time) {
  machine m;
  m.p.failure_threshold = 1;
  m.p.success_threshold = 1;
  auto d = m.feed(P);
  EXPECT_EQ(d.what, action::changed);
  EXPECT_EQ(d.from, N);
  EXPECT_EQ(d.to, U);
  EXPECT_EQ(m.feed(P).what, action::none);
  d = m.feed(F);
  EXPECT_EQ(d.what, action::changed);
  EXPECT_EQ(d.to, D);
  EXPECT_EQ(m.s.last_change, health_t0 + 3min);
  EXPECT_EQ(m.s.checks, 3u);
}

TEST(monitor_health_state, a_confirm_burst_is_a_decision_and_can_refute_the_outage) {
  machine m;
  m.p.confirm_checks = 3;
  m.run({P, F, F});
  auto d = m.feed(F);
  EXPECT_EQ(d.what, action::confirm);
  EXPECT_EQ(d.confirm_checks, 3);
  EXPECT_EQ(d.to, D);
  EXPECT_EQ(m.s.state, U) << "not down until the burst confirms it";
  auto refuted = confirm_result(m.s, m.p, 2, health_t0 + 1h);
  EXPECT_EQ(refuted.what, action::none);
  EXPECT_EQ(m.s.state, U);
  EXPECT_EQ(m.s.failure_streak, 0);
  m.run({F, F});
  EXPECT_EQ(m.feed(F).what, action::confirm);
  auto confirmed = confirm_result(m.s, m.p, 3, health_t0 + 2h);
  EXPECT_EQ(confirmed.what, action::changed);
  EXPECT_EQ(m.s.state, D);
  EXPECT_EQ(m.s.last_change, health_t0 + 2h);
}

TEST(monitor_health_state, state_is_a_plain_value_that_restores_mid_streak) {
  machine m;
  m.run({P, P, F, F});
  health_state saved = m.s;  // what the history store keeps
  machine restored;
  restored.s = saved;
  EXPECT_EQ(restored.s, m.s);
  EXPECT_EQ(restored.feed(F).to, D) << "the down-streak survives a restart: one more failure is the third";
  EXPECT_EQ(health_from_string(to_string(health::degraded)), health::degraded);
  EXPECT_FALSE(health_from_string("sideways").has_value());
}

}  // namespace
}  // namespace serentak::monitor
