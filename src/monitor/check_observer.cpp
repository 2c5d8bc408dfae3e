#include "monitor/check_observer.hpp"

#include <exception>

#include <fmt/format.h>

#include "monitor/check_text.hpp"

namespace serentak::monitor {

check_observer::check_observer(check_source& source, std::vector<endpoint_monitor>& monitors, check_sinks sinks)
    : source_(source), monitors_(monitors), sinks_(sinks), bursts_(source.size()) {}

void check_observer::on_finish(const client::fetch_request& request, const client::fetch_result& result) {
  // A check the stop cut short says nothing about the endpoint: judging it would count a failure
  // (or start a confirm burst) for every check in flight at shutdown.
  if (result.kind == outcome::unexpected && sinks_.stop != nullptr && sinks_.stop->load()) {
    source_.finish(request.index);
    return;
  }
  try {
    handle(request.index, result);
  } catch (...) {
    source_.finish(request.index);  // never leave the endpoint marked running: its ticks would all be skipped
    throw;                          // the engine notes it in engine_report::error
  }
}

void check_observer::handle(std::size_t index, const client::fetch_result& result) {
  const check_ticket ticket = source_.ticket(index);
  checks_.fetch_add(1, std::memory_order_relaxed);
  if (ticket.recheck) {
    on_recheck(index, ticket, result);
  } else {
    on_tick(index, ticket, result);
  }
}

void check_observer::on_tick(std::size_t index, const check_ticket& ticket, const client::fetch_result& result) {
  endpoint_monitor& monitor = monitors_[ticket.endpoint];
  const finished_check check = finished_check_of(result, ticket);
  const check_report report = monitor.on_check(check);
  const std::string failure = failure_text(report, result);
  record(monitor, report);
  note(monitor.config(), check_line(report, check, failure, monitor.state()));
  const health_decision& decision = report.decision;
  watch(monitor, report, failure, decision);
  if (decision.what == health_decision::action::confirm) {
    bursts_[index] = burst{decision.confirm_checks, 0, 0};
    note(monitor.config(),
         fmt::format("{} failures in a row: confirming with {} quick re-check{}", monitor.state().failure_streak,
                     decision.confirm_checks, decision.confirm_checks == 1 ? "" : "s"));
    source_.recheck(index);  // the endpoint stays running until the burst ends
    return;
  }
  if (decision.what == health_decision::action::changed)
    changed(monitor.config(), decision, failure, check.started_wall);
  source_.finish(index);
}

void check_observer::on_recheck(std::size_t index, const check_ticket& ticket, const client::fetch_result& result) {
  endpoint_monitor& monitor = monitors_[ticket.endpoint];
  burst& b = bursts_[index];
  const finished_check check = finished_check_of(result, ticket);
  const check_report report = monitor.on_recheck(check);
  const std::string failure = failure_text(report, result);
  ++b.done;
  --b.remaining;
  if (report.verdict == check_verdict::fail) ++b.failed;
  sinks_.history.offer(report.record);
  note(monitor.config(), check_line(report, check, failure, monitor.state(),
                                    fmt::format("re-check {} of {} ", b.done, b.done + b.remaining)));
  if (b.remaining > 0) {
    watch(monitor, report, failure, report.decision);
    source_.recheck(index);
    return;
  }
  const health_decision decision = monitor.confirm(b.failed, check.started_wall);
  sinks_.history.offer_state(monitor.config().name, monitor.state());
  watch(monitor, report, failure, decision);
  if (decision.what == health_decision::action::changed) {
    changed(monitor.config(), decision, failure, check.started_wall);
  } else {
    note(monitor.config(),
         fmt::format("confirm: {} of {} re-checks failed; not down, the failure count starts again", b.failed, b.done));
  }
  b = burst{};
  source_.finish(index);
}

void check_observer::record(const endpoint_monitor& monitor, const check_report& report) {
  sinks_.history.offer(report.record);
  sinks_.history.offer_state(monitor.config().name, monitor.state());
}

void check_observer::note(const endpoint_config& endpoint, const std::string& line) {
  if (sinks_.log != nullptr) sinks_.log->write(endpoint.name, line);
}

void check_observer::watch(const endpoint_monitor& monitor, const check_report& report, const std::string& failure,
                           const health_decision& decision) {
  if (sinks_.on_check == nullptr || !*sinks_.on_check) return;
  try {
    (*sinks_.on_check)(check_update{monitor.config(), report.record, monitor.state(), failure, decision});
  } catch (const std::exception& e) {
    note(monitor.config(), std::string("check hook failed: ") + e.what());
  } catch (...) {
    note(monitor.config(), "check hook failed");
  }
}

void check_observer::changed(const endpoint_config& endpoint, const health_decision& decision,
                             const std::string& failure, wall_time at) {
  note(endpoint, change_line(decision, failure));
  if (sinks_.on_alert == nullptr || !*sinks_.on_alert) return;
  try {
    (*sinks_.on_alert)(endpoint, alert_event_of(endpoint, decision, failure, at));
  } catch (const std::exception& e) {
    note(endpoint, std::string("alert hook failed: ") + e.what());
  } catch (...) {
    note(endpoint, "alert hook failed");
  }
}

}  // namespace serentak::monitor
