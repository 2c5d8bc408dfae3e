#pragma once
// From what one check saw to what the health state machine needs: the verdict (pass, degraded,
// fail) and, for the history, the failed conditions as JSON. The glue the engine adapter calls after
// each check. Pure functions; safe from any thread.

#include <string>
#include <vector>

#include "core/outcome.hpp"
#include "monitor/check_window.hpp"
#include "monitor/condition.hpp"
#include "monitor/health_state.hpp"

namespace serentak::monitor {

// With conditions: all passed -> pass (pass_after_retry when it took more than one attempt); only
// window conditions failed -> window_failed; else fail. Without conditions (the --every path), the
// outcome taxonomy decides: ok is a pass, anything else a fail.
check_verdict verdict_of(const std::vector<condition>& conditions, const check_evaluation& evaluation,
                         outcome final_outcome, int attempts) noexcept;

// [{"condition": "[STATUS] == 200", "seen": "503", "explained": "[STATUS] (503) == 200"}, ...] for the
// failed ones, in order; "[]" when none failed. Seen values are the server's text: escaped by JSON.
std::string failed_conditions_json(const std::vector<condition>& conditions, const check_evaluation& evaluation);

// The sample the endpoint's window keeps of this check.
check_sample sample_of(const check_result& result, std::chrono::steady_clock::time_point started) noexcept;

}  // namespace serentak::monitor
