#include "monitor/check_scheduler.hpp"

#include <algorithm>
#include <stdexcept>

namespace serentak::monitor {

std::size_t check_scheduler::add(const schedule_plan& plan) {
  if (auto problem = validate(plan); !problem.empty()) throw std::invalid_argument(problem);
  endpoint_slot slot{plan, start_, start_, false, false, {}};
  place_first(slot);
  endpoints_.push_back(slot);
  const std::size_t id = endpoints_.size() - 1;
  push(id, 0);
  return id;
}

void check_scheduler::remove(std::size_t endpoint) { endpoints_.at(endpoint).removed = true; }

void check_scheduler::push(std::size_t endpoint, std::uint64_t tick) {
  heap_.push(entry{due(endpoints_[endpoint], tick), endpoint, tick});
}

check_scheduler::time_point check_scheduler::due(const endpoint_slot& slot, std::uint64_t tick) const noexcept {
  return tick == 0 ? slot.first : slot.plan.due(slot.base, tick);
}

void check_scheduler::place_first(endpoint_slot& slot) const noexcept {
  const schedule_plan& plan = slot.plan;
  slot.base = start_;
  slot.first = plan.due(start_, 0);
  if (ready_ <= start_) return;
  // The first checks are to have started, not only be due, within the interval: the spread ends this
  // much early, for the loop's wake-up lag (p99 3-5 ms at 10,000 endpoints).
  const auto allowance = std::min<std::chrono::nanoseconds>(plan.interval / 20, std::chrono::milliseconds{50});
  if (ready_ - start_ >= plan.interval - allowance) {  // the start-up took the whole interval
    slot.base = ready_;
    slot.first = plan.due(ready_, 0);
    return;
  }
  // The phase's share of the interval becomes the same share of what the start-up left of it: first
  // checks stay even and in phase order, all before start + interval - allowance. Only the first
  // moves: the later ticks stay on the grid from start, spread over the whole interval, so the
  // steady load stays even (moving the grid with the first check packed every second's 10,000
  // checks into what the start-up had left, and the lag p99 went from 5 to 45 ms). The first gap
  // is therefore shorter than an interval by up to the start-up's time. A start-up that took most
  // of the interval would squeeze every first check into a burst: the spread never shrinks below a
  // quarter of the interval. In double: phase x window overflows int64 nanoseconds for long
  // intervals, and a nanosecond's rounding does not matter here.
  const auto window = std::max(std::chrono::nanoseconds(start_ + plan.interval - allowance - ready_),
                               std::chrono::nanoseconds(plan.interval / 4));
  const double share = static_cast<double>(plan.phase.count()) / static_cast<double>(plan.interval.count());
  slot.first = ready_ + std::chrono::duration_cast<time_point::duration>(std::chrono::nanoseconds{
                            static_cast<std::int64_t>(share * static_cast<double>(window.count()))});
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
