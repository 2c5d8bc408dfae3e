#pragma once
// The client engine's work_source for one request group of `serentak monitor`: hands out the
// checks the check_scheduler says are due, as fetch_requests, and the re-checks of confirm bursts
// (due at once, ahead of ticks). When nothing is due it is not exhausted: next_due() tells the
// worker when to ask again, so one engine run lasts until it is stopped.
// fetch_request::index is the endpoint's place in the group; ticket() maps it back to the
// endpoint and its timing. Thread safety: mutex_ guards the scheduler, the re-check queue and the
// tickets; every method may be called from any thread (the engine's worker, the observer).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

#include "client/engine/engine.hpp"
#include "monitor/check_scheduler.hpp"
#include "monitor/history_store.hpp"
#include "monitor/monitor_config.hpp"

namespace serentak::monitor {

// One check handed out: whose, when it was due and when it started.
struct check_ticket {
  std::size_t endpoint = 0;  // index into monitor_config::endpoints
  check_timing timing;       // steady clock: due, and the start (when the engine took it)
  wall_time started_wall{};  // the start on the wall clock, for the history
  bool recheck = false;      // a confirm burst's re-check: due the moment it was asked for
};

struct source_counters {
  std::uint64_t started = 0, skipped_busy = 0, skipped_late = 0, rechecks = 0;
};

class check_source final : public client::work_source {
 public:
  using clock = std::chrono::steady_clock;

  // endpoints: indexes into config.endpoints (the group's); config must outlive this object.
  // start and ready as check_scheduler takes them.
  check_source(const monitor_config& config, std::vector<std::size_t> endpoints, clock::time_point start,
               clock::time_point ready);
  check_source(const monitor_config& config, std::vector<std::size_t> endpoints, clock::time_point start)
      : check_source(config, std::move(endpoints), start, start) {}

  std::optional<client::fetch_request> next() override;
  std::optional<clock::time_point> next_due() override;

  // The ticket of the check the request with this index is (set when next() handed it out).
  check_ticket ticket(std::size_t index) const;
  // The endpoint's check (and burst) is over: its next tick may run.
  void finish(std::size_t index);
  // Runs one more check of the endpoint at once, as part of a confirm burst. The endpoint stays
  // running, so its ticks meanwhile are skipped as busy, until finish().
  void recheck(std::size_t index);

  // A stop is coming: no check (tick or re-check) starts any more, and next_due() says exhausted,
  // so the engine ends once the checks in flight have finished.
  void drain();

  source_counters counters() const;
  std::size_t size() const noexcept { return endpoints_.size(); }

 private:
  client::fetch_request request_for(std::size_t index) const;

  const monitor_config& config_;
  const std::vector<std::size_t> endpoints_;  // immutable after construction
  mutable std::mutex mutex_;                  // guards everything below
  check_scheduler scheduler_;                 // ids are positions in endpoints_
  std::deque<std::size_t> rechecks_;          // positions waiting for a confirm re-check
  std::vector<check_ticket> tickets_;         // per position: the check running now (or the last one)
  std::uint64_t rechecks_started_ = 0;
  bool draining_ = false;
};

}  // namespace serentak::monitor
