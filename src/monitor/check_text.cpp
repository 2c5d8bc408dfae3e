#include "monitor/check_text.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/url_redaction.hpp"

namespace serentak::monitor {
namespace {

std::string_view verdict_word(check_verdict v) {
  switch (v) {
    case check_verdict::pass:
      return "pass";
    case check_verdict::pass_after_retry:
      return "DEGRADED (passed after a retry)";
    case check_verdict::window_failed:
      return "DEGRADED";
    case check_verdict::fail:
      return "FAIL";
  }
  return "FAIL";
}

double ms(std::chrono::nanoseconds d) { return std::chrono::duration<double, std::milli>(d).count(); }

}  // namespace

finished_check finished_check_of(const client::fetch_result& result, const check_ticket& ticket) {
  finished_check check;
  check.result.status = result.http_status;
  check.result.response_time = result.latency;
  check.result.body = result.body;
  check.result.connected = result.http_status > 0 || result.kind == outcome::invalid_response;
  check.result.headers = result.headers;
  if (result.certificate_expires) {
    check.result.certificate_expires_in =
        std::chrono::duration_cast<std::chrono::milliseconds>(*result.certificate_expires - std::chrono::system_clock::now());
  }
  check.final_outcome = result.kind;
  check.attempts = std::max(1, result.attempts);
  check.timing = ticket.timing;
  check.started_wall = ticket.started_wall;
  return check;
}

std::string failure_text(const check_report& report, const client::fetch_result& result) {
  if (report.verdict == check_verdict::pass) return {};
  std::string text;
  for (const condition_verdict& v : report.evaluation.verdicts) {
    if (v.passed) continue;
    if (!text.empty()) text += "; ";
    text += v.explained;
  }
  if (!result.error.empty()) {
    if (!text.empty()) text += "; ";
    text += result.error;
  }
  if (text.empty() && report.verdict == check_verdict::fail) text = std::string(to_string(result.kind));
  return text;
}

std::string check_line(const check_report& report, const finished_check& check, const std::string& failure,
                       const health_state& state, const std::string& prefix) {
  const check_record& r = report.record;
  std::string answer = r.status > 0 ? fmt::format("{} {}", r.status, r.outcome) : r.outcome;
  std::string line = fmt::format("{}{}: {} in {:.1f} ms, {:.1f} ms late", prefix, verdict_word(report.verdict), answer,
                                 ms(r.duration), ms(check.timing.lag()));
  if (!failure.empty()) line += ": " + failure;
  line += fmt::format("; {}", to_string(state.state));
  if (state.failure_streak > 0) {
    line += fmt::format(", {} failure{} in a row", state.failure_streak, state.failure_streak == 1 ? "" : "s");
  }
  return line;
}

std::string change_line(const health_decision& decision, const std::string& failure) {
  std::string line = fmt::format("{} -> {}", to_string(decision.from), to_string(decision.to));
  if (!failure.empty() && decision.to != health::up) line += ": " + failure;
  return line;
}

alert_event alert_event_of(const endpoint_config& endpoint, const health_decision& decision, const std::string& failure,
                           wall_time at) {
  alert_event event;
  event.endpoint = endpoint.name;
  event.group = endpoint.group;
  event.url = redact_url(endpoint.url);
  event.from = decision.from;
  event.to = decision.to;
  event.failed_conditions = decision.to == health::up ? std::string() : failure;
  event.at = at;
  return event;
}

}  // namespace serentak::monitor
