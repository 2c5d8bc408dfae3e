#include "monitor/check_verdict.hpp"

#include <nlohmann/json.hpp>

namespace serentak::monitor {

check_verdict verdict_of(const std::vector<condition>& conditions, const check_evaluation& evaluation,
                         outcome final_outcome, int attempts) noexcept {
  const bool passed = conditions.empty() ? is_success(final_outcome) : evaluation.passed;
  if (passed) return attempts > 1 ? check_verdict::pass_after_retry : check_verdict::pass;
  if (!conditions.empty() && evaluation.only_window_failed) return check_verdict::window_failed;
  return check_verdict::fail;
}

std::string failed_conditions_json(const std::vector<condition>& conditions, const check_evaluation& evaluation) {
  auto out = nlohmann::json::array();
  for (std::size_t i = 0; i < conditions.size() && i < evaluation.verdicts.size(); ++i) {
    const auto& v = evaluation.verdicts[i];
    if (v.passed) continue;
    out.push_back({{"condition", conditions[i].text()}, {"seen", v.seen}, {"explained", v.explained}});
  }
  // Replace, not throw, on invalid UTF-8 from a server: the record must still be written.
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

check_sample sample_of(const check_result& result, std::chrono::steady_clock::time_point started) noexcept {
  return check_sample{started, result.status, result.response_time, result.connected};
}

}  // namespace serentak::monitor
