#pragma once
// The client engine's fetch_observer for one request group of `serentak monitor`: each finished
// check goes to its endpoint's endpoint_monitor, and what that decides is carried out here: the
// record and the state offered to the history, one log line, the alert hook on a health change,
// and the confirm burst (k re-checks due at once, then endpoint_monitor::confirm()). Then the
// endpoint is finished in the check_source, so its next tick may run.
//
// Thread safety: on_finish may run on any engine worker. An endpoint's monitor and burst are
// touched only by the on_finish of that endpoint's one running check: the scheduler never
// overlaps an endpoint's checks, and the hand-over from one check to the next goes through
// check_source's mutex (finish() then next()). The sinks lock themselves (history_writer,
// event_log); the alert hook must be thread-safe and quick (it runs on the engine's thread).

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "client/engine/engine.hpp"
#include "log/event_log.hpp"
#include "monitor/alert_message.hpp"
#include "monitor/check_source.hpp"
#include "monitor/endpoint_monitor.hpp"
#include "monitor/history_writer.hpp"

namespace serentak::monitor {

// Called on each health change of an endpoint (the alert sender queues it; it must not block).
using alert_hook = std::function<void(const endpoint_config&, const alert_event&)>;

// What a watcher (the dashboard, src/web) sees of one judged check. The references live only as
// long as the call.
struct check_update {
  const endpoint_config& endpoint;
  const check_record& record;        // as offered to the history (duration, outcome, failed conditions)
  const health_state& state;         // the endpoint's state after this check
  const std::string& failure;        // failure_text(); empty when it passed
  const health_decision& decision;   // changed: the state moved (from -> to)
};
// Called after each judged check and at the end of a confirm burst, on the engine's thread: it
// must be thread-safe and quick (the dashboard takes one short lock).
using check_hook = std::function<void(const check_update&)>;

// Where finished checks go; shared by every group, each part thread-safe.
struct check_sinks {
  history_writer& history;
  log::event_log* log = nullptr;            // one line per check; null: none
  const alert_hook* on_alert = nullptr;     // null or empty: no alerts
  const check_hook* on_check = nullptr;     // null or empty: nobody watches
  const std::atomic<bool>* stop = nullptr;  // once set, checks cancelled by the stop are dropped, not judged
};

class check_observer final : public client::fetch_observer {
 public:
  // monitors: one per endpoint of the whole file (indexed as monitor_config::endpoints); this
  // observer touches only its group's.
  check_observer(check_source& source, std::vector<endpoint_monitor>& monitors, check_sinks sinks);

  void on_start(const client::fetch_request&) override {}
  void on_finish(const client::fetch_request& request, const client::fetch_result& result) override;

  std::uint64_t checks() const noexcept { return checks_.load(std::memory_order_relaxed); }

 private:
  struct burst {
    int remaining = 0;  // re-checks still to run
    int done = 0;       // re-checks run so far
    int failed = 0;     // of those, how many failed
  };

  void handle(std::size_t index, const client::fetch_result& result);
  void on_tick(std::size_t index, const check_ticket& ticket, const client::fetch_result& result);
  void on_recheck(std::size_t index, const check_ticket& ticket, const client::fetch_result& result);
  void record(const endpoint_monitor& monitor, const check_report& report);
  void note(const endpoint_config& endpoint, const std::string& line);
  void watch(const endpoint_monitor& monitor, const check_report& report, const std::string& failure,
             const health_decision& decision);
  void changed(const endpoint_config& endpoint, const health_decision& decision, const std::string& failure,
               wall_time at);

  check_source& source_;
  std::vector<endpoint_monitor>& monitors_;
  check_sinks sinks_;
  std::vector<burst> bursts_;  // per group position; see the class comment for who touches one
  std::atomic<std::uint64_t> checks_{0};
};

}  // namespace serentak::monitor
