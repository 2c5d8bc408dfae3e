#include "server/stats/shared_histogram.hpp"

#include <algorithm>
#include <cmath>

namespace serentak::server {

void shared_latency_histogram::record(std::uint64_t micros) noexcept {
  buckets_[latency_histogram::bucket_of(micros)].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(micros, std::memory_order_relaxed);
  // Written only when they move, which is rare once a route has seen a few requests.
  std::uint64_t low = min_.load(std::memory_order_relaxed);
  while (micros < low && !min_.compare_exchange_weak(low, micros, std::memory_order_relaxed)) {
  }
  std::uint64_t high = max_.load(std::memory_order_relaxed);
  while (micros > high && !max_.compare_exchange_weak(high, micros, std::memory_order_relaxed)) {
  }
  count_.fetch_add(1, std::memory_order_release);
}

latency_summary shared_latency_histogram::summary() const noexcept {
  latency_summary s;
  s.count = count_.load(std::memory_order_acquire);
  if (s.count == 0) return s;
  s.sum = sum_.load(std::memory_order_relaxed);
  s.max = max_.load(std::memory_order_relaxed);
  const std::uint64_t low = std::min(min_.load(std::memory_order_relaxed), s.max);
  // The same ranks as latency_histogram::percentile, found in one pass over the buckets.
  std::array<std::uint64_t, summary_quantiles.size()> rank{};
  for (std::size_t q = 0; q < rank.size(); ++q) {
    rank[q] = std::max<std::uint64_t>(
        1, static_cast<std::uint64_t>(std::ceil(summary_quantiles[q] * static_cast<double>(s.count))));
    s.quantiles[q] = s.max;  // only if the buckets ran out, which the acquire above rules out
  }
  std::size_t next = 0;
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < latency_histogram::bucket_count && next < rank.size(); ++i) {
    seen += buckets_[i].load(std::memory_order_relaxed);
    for (; next < rank.size() && seen >= rank[next]; ++next) {
      s.quantiles[next] = std::clamp(latency_histogram::bucket_upper(i), low, s.max);
    }
  }
  return s;
}

}  // namespace serentak::server
