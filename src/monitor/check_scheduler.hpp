#pragma once
// Finds which endpoint's check is due next among many (10,000 and more): a min-heap of one pending
// tick per endpoint, so each step costs O(log n). A tick whose endpoint is still running its previous
// check is skipped and counted, never overlapped; ticks overtaken while the scheduler was late are
// skipped and counted too, so a stall never turns into a burst. Time is passed in, never read, so
// tests drive it with a fake clock. Owned by the one thread that runs the schedule; not thread-safe.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <queue>
#include <vector>

#include "monitor/schedule_plan.hpp"

namespace serentak::monitor {

// A check to start now: which endpoint, which tick, and when it was due (lag = start - due).
struct due_tick {
  std::size_t endpoint = 0;
  std::uint64_t tick = 0;
  std::chrono::steady_clock::time_point due;
};

// A check's timing as the history and the metrics keep it.
struct check_timing {
  std::chrono::steady_clock::time_point due;
  std::chrono::steady_clock::time_point started;
  std::chrono::nanoseconds lag() const noexcept { return started - due; }
};

struct schedule_counters {
  std::uint64_t started = 0;       // ticks handed out by pop_due
  std::uint64_t skipped_busy = 0;  // ticks skipped because the previous check was still running
  std::uint64_t skipped_late = 0;  // ticks overtaken by a later tick before the scheduler got to them
};

class check_scheduler {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  // start: when the schedule's ticks are counted from (the monitor's launch); ready: when the
  // scheduler can first start a check (the file read, the history opened). The first checks are
  // spread evenly, in phase order, over [ready, start + interval - allowance) (allowance: 5% of the
  // interval, at most 50 ms, for the loop's lag), so each lands within one interval of the launch
  // without a burst at ready; later ticks keep the plan's grid from start (start + phase + n x
  // interval + jitter), so the steady load stays spread over the whole interval and the first gap
  // may be shorter than an interval. Exceptions: the spread is never shorter than a quarter of the
  // interval (a start-up that took over 70% of it makes some first checks late rather than all at
  // once); an endpoint whose interval the start-up took entirely counts its grid from ready.
  explicit check_scheduler(time_point start) : check_scheduler(start, start) {}
  check_scheduler(time_point start, time_point ready) : start_(start), ready_(ready < start ? start : ready) {}

  // Adds an endpoint (validate(plan) must be empty); its first tick is tick 0. Returns its id.
  std::size_t add(const schedule_plan& plan);
  // Stops scheduling an endpoint; its id is not reused.
  void remove(std::size_t endpoint);

  // The earliest pending due time, for the loop's timer; nullopt when nothing is scheduled.
  std::optional<time_point> next_due();
  // The next tick due at or before now, its endpoint marked running; nullopt when none is due yet.
  std::optional<due_tick> pop_due(time_point now);
  // The check of endpoint's last popped tick has ended: the endpoint may run again.
  void finish(std::size_t endpoint);

  const schedule_counters& counters(std::size_t endpoint) const { return endpoints_.at(endpoint).counters; }
  const schedule_plan& plan(std::size_t endpoint) const { return endpoints_.at(endpoint).plan; }
  bool running(std::size_t endpoint) const { return endpoints_.at(endpoint).running; }
  std::size_t pending() const noexcept { return heap_.size(); }
  time_point start() const noexcept { return start_; }

 private:
  struct entry {
    time_point due;
    std::size_t endpoint;
    std::uint64_t tick;
    bool operator>(const entry& other) const noexcept {
      return due != other.due ? due > other.due : endpoint > other.endpoint;  // ties: stable by id
    }
  };
  struct endpoint_slot {
    schedule_plan plan;
    time_point base;   // tick n >= 1 is due at plan.due(base, n): start_, or ready_ (place_first)
    time_point first;  // tick 0's due time (place_first)
    bool running = false;
    bool removed = false;
    schedule_counters counters;
  };

  void push(std::size_t endpoint, std::uint64_t tick);
  time_point due(const endpoint_slot& slot, std::uint64_t tick) const noexcept;
  void place_first(endpoint_slot& slot) const noexcept;

  time_point start_;
  time_point ready_;  // >= start_
  std::vector<endpoint_slot> endpoints_;
  std::priority_queue<entry, std::vector<entry>, std::greater<>> heap_;
};

}  // namespace serentak::monitor
