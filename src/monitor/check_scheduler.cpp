#include "monitor/check_scheduler.hpp"

#include <stdexcept>

namespace serentak::monitor {

std::size_t check_scheduler::add(const schedule_plan& plan) {
  if (auto problem = validate(plan); !problem.empty()) throw std::invalid_argument(problem);
  endpoints_.push_back(endpoint_slot{plan, false, false, {}});
  const std::size_t id = endpoints_.size() - 1;
  push(id, 0);
  return id;
}

void check_scheduler::remove(std::size_t endpoint) { endpoints_.at(endpoint).removed = true; }

void check_scheduler::push(std::size_t endpoint, std::uint64_t tick) {
  heap_.push(entry{endpoints_[endpoint].plan.due(start_, tick), endpoint, tick});
}

std::optional<check_scheduler::time_point> check_scheduler::next_due() {
  while (!heap_.empty() && endpoints_[heap_.top().endpoint].removed) heap_.pop();
  if (heap_.empty()) return std::nullopt;
  return heap_.top().due;
}

std::optional<due_tick> check_scheduler::pop_due(time_point now) {
  // Each pass pops one entry and pushes at most one with a later due time, and every endpoint has
  // one entry, so this ends after at most one pass per endpoint whose tick is due.
  while (!heap_.empty() && heap_.top().due <= now) {
    entry e = heap_.top();
    heap_.pop();
    endpoint_slot& slot = endpoints_[e.endpoint];
    if (slot.removed) continue;
    const std::uint64_t latest = slot.plan.latest_due(start_, e.tick, now);
    slot.counters.skipped_late += latest - e.tick;
    if (slot.running) {
      slot.counters.skipped_busy += 1;
      push(e.endpoint, latest + 1);
      continue;
    }
    slot.running = true;
    slot.counters.started += 1;
    push(e.endpoint, latest + 1);
    return due_tick{e.endpoint, latest, slot.plan.due(start_, latest)};
  }
  return std::nullopt;
}

void check_scheduler::finish(std::size_t endpoint) { endpoints_.at(endpoint).running = false; }

}  // namespace serentak::monitor
