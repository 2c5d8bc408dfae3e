#include "core/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace serentak {

std::size_t latency_histogram::bucket_of(std::uint64_t micros) noexcept {
  if (micros < linear_buckets) return static_cast<std::size_t>(micros);
  auto msb = static_cast<std::size_t>(std::bit_width(micros) - 1);  // >= 7
  std::size_t shift = std::min(msb - 6, max_shift);
  std::uint64_t sub = micros >> shift;  // in [64, 127] unless clamped
  if (sub > 127) sub = 127;
  return linear_buckets + (shift - 1) * sub_buckets + static_cast<std::size_t>(sub - 64);
}

std::uint64_t latency_histogram::bucket_upper(std::size_t bucket) noexcept {
  if (bucket < linear_buckets) return bucket;
  std::size_t k = bucket - linear_buckets;
  std::size_t shift = k / sub_buckets + 1;
  std::uint64_t sub = k % sub_buckets + 64;
  return ((sub + 1) << shift) - 1;
}

void latency_histogram::record(std::uint64_t micros) noexcept {
  ++buckets_[bucket_of(micros)];
  ++count_;
  sum_ += micros;
  min_ = std::min(min_, micros);
  max_ = std::max(max_, micros);
}

void latency_histogram::merge(const latency_histogram& other) noexcept {
  for (std::size_t i = 0; i < bucket_count; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

std::uint64_t latency_histogram::percentile(double q) const noexcept {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
  rank = std::max<std::uint64_t>(rank, 1);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < bucket_count; ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::clamp(bucket_upper(i), min(), max_);
  }
  return max_;
}

std::uint64_t latency_histogram::count_at_most(std::uint64_t micros) const noexcept {
  std::size_t last = bucket_of(micros);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i <= last; ++i) seen += buckets_[i];
  return seen;
}

}  // namespace serentak
