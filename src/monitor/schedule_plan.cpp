#include "monitor/schedule_plan.hpp"

#include <fmt/format.h>

#include "core/fnv1a.hpp"
#include "core/splitmix64.hpp"

#include "monitor/duration_text.hpp"

namespace serentak::monitor {
namespace {

std::string shown(std::chrono::nanoseconds d) {
  return format_duration(std::chrono::duration_cast<std::chrono::milliseconds>(d));
}

}  // namespace

std::chrono::nanoseconds schedule_plan::jitter(std::uint64_t n) const noexcept {
  if (max_jitter.count() <= 0) return std::chrono::nanoseconds{0};
  const auto span = static_cast<std::uint64_t>(max_jitter.count()) + 1;
  return std::chrono::nanoseconds{static_cast<std::int64_t>(splitmix64(seed ^ splitmix64(n)) % span)};
}

std::chrono::steady_clock::time_point schedule_plan::due(std::chrono::steady_clock::time_point start,
                                                         std::uint64_t n) const noexcept {
  return start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                     phase + interval * static_cast<std::int64_t>(n) + jitter(n));
}

std::uint64_t schedule_plan::latest_due(std::chrono::steady_clock::time_point start, std::uint64_t from,
                                        std::chrono::steady_clock::time_point now) const noexcept {
  const auto since = now - (start + phase);
  std::uint64_t n = from;
  if (since.count() > 0 && interval.count() > 0) {
    const auto k = static_cast<std::uint64_t>(std::chrono::nanoseconds(since) / interval);
    if (k > n) n = k;
  }
  // Jitter is at most half an interval, so at most one step either way corrects the estimate.
  while (n > from && due(start, n) > now) --n;
  while (due(start, n + 1) <= now) ++n;
  return n;
}

std::string validate(const schedule_plan& plan) {
  if (plan.interval < min_interval) {
    return fmt::format("interval {} is below the minimum of {}", shown(plan.interval), shown(min_interval));
  }
  if (plan.interval > max_interval) {
    return fmt::format("interval {} is above the maximum of {}", shown(plan.interval), shown(max_interval));
  }
  if (plan.phase.count() < 0 || plan.phase >= plan.interval) {
    return fmt::format("phase {} is outside the interval {}", shown(plan.phase), shown(plan.interval));
  }
  if (plan.max_jitter.count() < 0 || plan.max_jitter * 2 > plan.interval) {
    return fmt::format("jitter {} is more than half the interval {}", shown(plan.max_jitter), shown(plan.interval));
  }
  return {};
}

std::chrono::nanoseconds phase_by_index(std::size_t index, std::size_t count,
                                        std::chrono::nanoseconds interval) noexcept {
  if (count == 0) return std::chrono::nanoseconds{0};
  // interval * i / count without the 64-bit overflow of the plain product (7 days in ns x 10,000):
  // split the interval into quotient and remainder by count.
  const auto i = static_cast<std::uint64_t>(index % count);
  const auto n = static_cast<std::uint64_t>(count);
  const auto total = static_cast<std::uint64_t>(interval.count());
  return std::chrono::nanoseconds{static_cast<std::int64_t>((total / n) * i + (total % n) * i / n)};
}

std::chrono::nanoseconds phase_by_name(std::string_view name, std::chrono::nanoseconds interval) noexcept {
  const std::uint64_t h = fnv1a_64().add(name).value();  // stable across builds and platforms
  if (interval.count() <= 0) return std::chrono::nanoseconds{0};
  return std::chrono::nanoseconds{
      static_cast<std::int64_t>(splitmix64(h) % static_cast<std::uint64_t>(interval.count()))};
}

}  // namespace serentak::monitor
