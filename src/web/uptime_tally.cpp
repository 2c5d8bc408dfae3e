#include "web/uptime_tally.hpp"

#include <algorithm>
#include <limits>

namespace serentak::web {
namespace {

std::int64_t hour_index(uptime_tally::wall_time t) {
  return std::chrono::duration_cast<std::chrono::hours>(t.time_since_epoch()).count();
}

std::uint32_t clamp32(std::uint64_t n) {
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(n, std::numeric_limits<std::uint32_t>::max()));
}

template <std::size_t N, class Bucket>
std::optional<double> ratio(const std::array<Bucket, N>& ring, std::int64_t now_index, int span) {
  std::uint64_t count = 0, failures = 0;
  for (const Bucket& b : ring) {
    if (b.index < 0 || b.index > now_index || b.index <= now_index - span) continue;
    count += b.count;
    failures += b.failures;
  }
  if (count == 0) return std::nullopt;
  return static_cast<double>(count - std::min(failures, count)) / static_cast<double>(count);
}

}  // namespace

void uptime_tally::put(bucket& b, std::int64_t index, std::uint64_t count, std::uint64_t failures) {
  if (b.index != index) b = bucket{index, 0, 0};  // an older period's bucket is reused
  b.count = clamp32(b.count + count);
  b.failures = clamp32(b.failures + failures);
}

void uptime_tally::add(wall_time at, std::uint64_t count, std::uint64_t failures) {
  const std::int64_t hour = hour_index(at);
  if (hour < 0) return;
  const std::int64_t day = hour / 24;
  bucket& h = hours_[static_cast<std::size_t>(hour % 24)];
  if (h.index <= hour) put(h, hour, count, failures);  // older than the ring holds: only the days keep it
  bucket& d = days_[static_cast<std::size_t>(day % 31)];
  if (d.index <= day) put(d, day, count, failures);
}

std::optional<double> uptime_tally::over_hours(wall_time now, int hours) const {
  return ratio(hours_, hour_index(now), std::clamp(hours, 1, 24));
}

std::optional<double> uptime_tally::over_days(wall_time now, int days) const {
  return ratio(days_, hour_index(now) / 24, std::clamp(days, 1, 31));
}

}  // namespace serentak::web
