#include "monitor/health_state.hpp"

#include <array>

namespace serentak::monitor {
namespace {

constexpr std::array<std::string_view, 4> state_names{"unknown", "up", "degraded", "down"};

health_decision change(health_state& s, health to, std::chrono::system_clock::time_point now) {
  health_decision d{health_decision::action::changed, s.state, to, 0};
  s.state = to;
  s.last_change = now;
  return d;
}

health_decision stay(const health_state& s) { return {health_decision::action::none, s.state, s.state, 0}; }

}  // namespace

std::string_view to_string(health h) noexcept { return state_names[static_cast<std::size_t>(h)]; }

std::optional<health> health_from_string(std::string_view name) noexcept {
  for (std::size_t i = 0; i < state_names.size(); ++i) {
    if (state_names[i] == name) return static_cast<health>(i);
  }
  return std::nullopt;
}

health_decision apply(health_state& s, const health_policy& policy, check_verdict v,
                      std::chrono::system_clock::time_point now) {
  ++s.checks;
  if (v == check_verdict::fail) {
    ++s.failure_streak;
    s.success_streak = s.pass_streak = s.degraded_streak = 0;
    if (s.state == health::down || s.failure_streak < policy.failure_threshold) return stay(s);
    if (policy.confirm_checks > 0) {
      return {health_decision::action::confirm, s.state, health::down, policy.confirm_checks};
    }
    return change(s, health::down, now);
  }
  const bool degraded = v != check_verdict::pass;
  s.failure_streak = 0;
  ++s.success_streak;
  if (degraded) {
    ++s.degraded_streak;
    s.pass_streak = 0;
  } else {
    ++s.pass_streak;
    s.degraded_streak = 0;
  }
  const health target = degraded ? health::degraded : health::up;
  switch (s.state) {
    case health::unknown:  // the first answer decides: there is no state to protect yet
      return change(s, target, now);
    case health::down:
      return s.success_streak >= policy.success_threshold ? change(s, target, now) : stay(s);
    case health::up:  // up -> degraded is getting worse: it takes failure_threshold in a row
      return degraded && s.degraded_streak >= policy.failure_threshold ? change(s, health::degraded, now) : stay(s);
    case health::degraded:
      return !degraded && s.pass_streak >= policy.success_threshold ? change(s, health::up, now) : stay(s);
  }
  return stay(s);
}

health_decision confirm_result(health_state& s, const health_policy& policy, int failed,
                               std::chrono::system_clock::time_point now) {
  if (failed >= policy.confirm_checks && s.state != health::down) return change(s, health::down, now);
  if (failed < policy.confirm_checks) s.failure_streak = 0;
  return stay(s);
}

}  // namespace serentak::monitor
