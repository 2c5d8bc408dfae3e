#include "monitor/check_scheduler.hpp"

#include <algorithm>
#include <stdexcept>

namespace serentak::monitor {

std::size_t check_scheduler::add(const schedule_plan& plan) {
  if (auto problem = validate(plan); !problem.empty()) throw std::invalid_argument(problem);
  endpoints_.push_back(endpoint_slot{plan, base_for(plan), false, false, {}});
  const std::size_t id = endpoints_.size() - 1;
  push(id, 0);
  return id;
}

void check_scheduler::remove(std::size_t endpoint) { endpoints_.at(endpoint).removed = true; }

void check_scheduler::push(std::size_t endpoint, std::uint64_t tick) {
  heap_.push(entry{due(endpoints_[endpoint], tick), endpoint, tick});
}

check_scheduler::time_point check_scheduler::due(const endpoint_slot& slot, std::uint64_t tick) const noexcept {
  return slot.plan.due(slot.base, tick);
}

check_scheduler::time_point check_scheduler::base_for(const schedule_plan& plan) const noexcept {
  if (ready_ <= start_) return start_;
  // The first checks are to have started, not only be due, within the interval: the spread ends this
  // much early, for the loop's wake-up lag (p99 3-5 ms at 10,000 endpoints).
  const auto allowance = std::min<std::chrono::nanoseconds>(plan.interval / 20, std::chrono::milliseconds{50});
  if (ready_ - start_ >= plan.interval - allowance) return ready_;  // the start-up took the whole interval
  // The phase's share of the interval becomes the same share of what the start-up left of it: first
  // checks stay even and in phase order, all before start + interval - allowance, and the endpoint's grid moves
  // with its first check, so every later gap is still a whole interval. In double: phase x window
  // overflows int64 nanoseconds for long intervals, and a nanosecond's rounding does not matter here.
  // A start-up that took most of the interval would squeeze every first check into a burst: the
  // spread never shrinks below a quarter of the interval (those endpoints then start a little late).
  const auto window = std::max(std::chrono::nanoseconds(start_ + plan.interval - allowance - ready_),
                               std::chrono::nanoseconds(plan.interval / 4));
  const double share = static_cast<double>(plan.phase.count()) / static_cast<double>(plan.interval.count());
  const auto first = ready_ + std::chrono::duration_cast<time_point::duration>(std::chrono::nanoseconds{
                                  static_cast<std::int64_t>(share * static_cast<double>(window.count()))});
  return first - std::chrono::duration_cast<time_point::duration>(plan.phase);
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
    const std::uint64_t latest = slot.plan.latest_due(slot.base, e.tick, now);
    slot.counters.skipped_late += latest - e.tick;
    if (slot.running) {
      slot.counters.skipped_busy += 1;
      push(e.endpoint, latest + 1);
      continue;
    }
    slot.running = true;
    slot.counters.started += 1;
    push(e.endpoint, latest + 1);
    return due_tick{e.endpoint, latest, due(slot, latest)};
  }
  return std::nullopt;
}

void check_scheduler::finish(std::size_t endpoint) { endpoints_.at(endpoint).running = false; }

}  // namespace serentak::monitor
