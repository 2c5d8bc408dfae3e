#pragma once
// Everything one endpoint remembers between checks, and what one check turns into: its recent
// window, its health state; a finished check becomes a history record and a health decision. No
// I/O: the monitor loop feeds it results and carries out the decision (history, alerts, confirm
// burst). One per endpoint, owned by the loop thread that finishes that endpoint's checks; not
// thread-safe.

#include <chrono>
#include <string>

#include "core/outcome.hpp"
#include "monitor/check_result.hpp"
#include "monitor/check_scheduler.hpp"
#include "monitor/check_window.hpp"
#include "monitor/health_state.hpp"
#include "monitor/history_store.hpp"
#include "monitor/monitor_config.hpp"

namespace serentak::monitor {

// A finished check as the engine reports it.
struct finished_check {
  check_result result;
  outcome final_outcome = outcome::unexpected;
  int attempts = 1;
  check_timing timing;       // steady clock: due and actual start (lag)
  wall_time started_wall{};  // the same start on the wall clock, for the history
};

struct check_report {
  check_record record;  // for history_writer::offer()
  check_verdict verdict = check_verdict::fail;
  health_decision decision;     // changed: alert; confirm: run the burst, then confirm()
  check_evaluation evaluation;  // each condition's verdict and the values seen
};

class endpoint_monitor {
 public:
  // config must outlive this object (it lives in the loaded monitor_config).
  endpoint_monitor(const endpoint_config& config, health_state restored = {});

  check_report on_check(const finished_check& check);
  // A re-check of a confirm burst: evaluated and recorded like a check (against the window as it
  // stands; the sample is not added), but the state is left alone: the burst's end is confirm().
  // The report's decision is none.
  check_report on_recheck(const finished_check& check);
  // The result of a confirm burst: how many of the re-checks failed.
  health_decision confirm(int failed, wall_time now);

  const health_state& state() const noexcept { return state_; }
  const check_window& window() const noexcept { return window_; }
  const endpoint_config& config() const noexcept { return config_; }

 private:
  check_report evaluate(const finished_check& check);  // verdict and record, no state change

  const endpoint_config& config_;
  check_window window_;
  health_state state_;
};

}  // namespace serentak::monitor
