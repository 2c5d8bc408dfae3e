#include "monitor/endpoint_monitor.hpp"

#include "monitor/check_verdict.hpp"

namespace serentak::monitor {

endpoint_monitor::endpoint_monitor(const endpoint_config& config, health_state restored)
    : config_(config), window_(longest_window(config.conditions)), state_(restored) {}

check_report endpoint_monitor::on_check(const finished_check& check) {
  // The window holds this check too, so p95(...) and ratio(...) include the answer just seen.
  window_.add(sample_of(check.result, check.timing.started));
  check_report report = evaluate(check);
  report.decision = apply(state_, config_.policy, report.verdict, check.started_wall);
  return report;
}

check_report endpoint_monitor::on_recheck(const finished_check& check) {
  check_report report = evaluate(check);
  report.decision = health_decision{health_decision::action::none, state_.state, state_.state, 0};
  return report;
}

check_report endpoint_monitor::evaluate(const finished_check& check) {
  check_input input(check.result, &window_, check.timing.started);
  check_report report;
  report.evaluation = evaluate_all(config_.conditions, input);
  report.verdict = verdict_of(config_.conditions, report.evaluation, check.final_outcome, check.attempts);

  check_record& r = report.record;
  r.endpoint = config_.name;
  r.started = check.started_wall;
  r.due = check.started_wall - std::chrono::duration_cast<wall_time::duration>(check.timing.lag());
  r.duration = check.result.response_time;
  r.status = check.result.status;
  r.outcome = std::string(to_string(check.final_outcome));
  r.passed = report.verdict == check_verdict::pass || report.verdict == check_verdict::pass_after_retry;
  r.failed_conditions = failed_conditions_json(config_.conditions, report.evaluation);
  return report;
}

health_decision endpoint_monitor::confirm(int failed, wall_time now) {
  return confirm_result(state_, config_.policy, failed, now);
}

}  // namespace serentak::monitor
