#pragma once
// The health of one endpoint with hysteresis: a state machine over check verdicts. Getting worse
// takes failure_threshold verdicts in a row, getting better success_threshold (defaults 3 and 2, as
// in Gatus's alerts), so one lost packet never pages anyone and one lucky answer never resolves.
// The state is a plain value (saved to history, restored after a restart); the transitions are pure
// functions that return their decision, so the caller does the I/O (alerts, confirm bursts).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace serentak::monitor {

enum class health { unknown, up, degraded, down };
std::string_view to_string(health h) noexcept;
std::optional<health> health_from_string(std::string_view name) noexcept;

// What one check concluded, before hysteresis.
enum class check_verdict {
  pass,              // every condition passed on the first attempt
  pass_after_retry,  // passed, but only after a retry: degraded
  window_failed,     // every single-check condition passed, a window condition (p95, ratio) failed: degraded
  fail,              // a single-check condition failed (or no response)
};

struct health_policy {
  int failure_threshold = 3;  // verdicts in a row to get worse (>= 1)
  int success_threshold = 2;  // verdicts in a row to get better (>= 1)
  int confirm_checks = 0;     // quick re-checks before declaring down; 0: none
};

// Everything that must survive a restart. Plain value: copy, compare, save, restore.
struct health_state {
  health state = health::unknown;
  int failure_streak = 0;                               // fail verdicts in a row
  int success_streak = 0;                               // non-fail verdicts in a row (pass or degraded)
  int pass_streak = 0;                                  // clean pass verdicts in a row
  int degraded_streak = 0;                              // degraded verdicts in a row
  std::chrono::system_clock::time_point last_change{};  // wall clock: meaningful after a restart
  std::uint64_t checks = 0;                             // verdicts applied, confirm re-checks not counted

  bool operator==(const health_state&) const = default;
};

// What the caller must do after a verdict.
struct health_decision {
  enum class action { none, changed, confirm };
  action what = action::none;
  health from = health::unknown;
  health to = health::unknown;  // changed: the new state; confirm: the state a confirmed burst leads to
  int confirm_checks = 0;       // confirm: how many quick re-checks to run, then call confirm_result()
};

// Applies one verdict at wall time now.
health_decision apply(health_state& s, const health_policy& policy, check_verdict v,
                      std::chrono::system_clock::time_point now);

// After a confirm decision: failed is how many of the re-checks failed. Down only when all failed;
// otherwise the burst refuted the outage and the failure streak starts again from zero.
health_decision confirm_result(health_state& s, const health_policy& policy, int failed,
                               std::chrono::system_clock::time_point now);

}  // namespace serentak::monitor
