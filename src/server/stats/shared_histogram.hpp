#pragma once
// core/latency_histogram's buckets as relaxed atomics, so that io threads record into one
// histogram while GET /metrics reads it, with no lock on either side.
// Thread safety: record() from any thread; summary() from any thread at the same time. Each
// bucket, the sum, min and max are relaxed atomics; count_ is incremented last with release and
// read first with acquire, so a reader that sees count c also sees the c records' buckets (their
// sum is >= c) and its percentiles are those of at least those c values.

#include <array>
#include <atomic>
#include <cstdint>

#include "core/latency_histogram.hpp"

namespace serentak::server {

// The quantiles the stats report, in this order (summary::quantiles[i] is quantiles[i]'s value).
inline constexpr std::array<double, 3> summary_quantiles = {0.5, 0.9, 0.99};

// What the observability routes show of one histogram: plain values.
struct latency_summary {
  std::uint64_t count = 0;
  std::uint64_t sum = 0;
  std::uint64_t max = 0;
  std::array<std::uint64_t, summary_quantiles.size()> quantiles{};  // as latency_histogram::percentile
};

class shared_latency_histogram {
 public:
  void record(std::uint64_t micros) noexcept;

  // Reads the buckets only up to the highest quantile's rank (the whole histogram for a route whose
  // tail is in its last bucket), so a scrape costs little per route.
  latency_summary summary() const noexcept;

 private:
  std::array<std::atomic<std::uint64_t>, latency_histogram::bucket_count> buckets_{};
  std::atomic<std::uint64_t> sum_{0};
  std::atomic<std::uint64_t> min_{UINT64_MAX};
  std::atomic<std::uint64_t> max_{0};
  std::atomic<std::uint64_t> count_{0};  // last written, first read: see the header comment
};

}  // namespace serentak::server
