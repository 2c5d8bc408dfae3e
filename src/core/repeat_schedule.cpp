#include "core/repeat_schedule.hpp"

namespace serentak {

std::uint64_t repeat_schedule::next_tick(std::uint64_t ran, std::chrono::steady_clock::time_point now) const noexcept {
  std::uint64_t next = ran + 1;
  if (now <= start || interval.count() <= 0) return next;
  auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(now - start).count();
  // ceil(elapsed / interval): the first tick due at or after now.
  auto at_or_after = static_cast<std::uint64_t>((elapsed + interval.count() - 1) / interval.count());
  return at_or_after > next ? at_or_after : next;
}

}  // namespace serentak
