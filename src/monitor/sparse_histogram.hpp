#pragma once
// A latency histogram that stores only its non-empty buckets, on core/latency_histogram's bucket
// edges (exact below 128 us, then 64 sub-buckets per power of two, within 1.6%), so an hourly
// roll-up costs tens of bytes per distinct latency band instead of 19 KiB, and hours merge into days
// exactly. Serialises to a small blob for SQLite. Plain value; not thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace serentak::monitor {

class sparse_histogram {
 public:
  void record(std::uint64_t micros);
  void merge(const sparse_histogram& other);

  std::uint64_t count() const noexcept { return count_; }
  std::uint64_t max() const noexcept { return max_; }
  // The upper edge of the bucket holding quantile q in [0, 1], clipped to max(); 0 when empty.
  std::uint64_t percentile(double q) const noexcept;

  // Version byte, max, then (bucket u16, count u64) pairs, little-endian.
  std::string to_blob() const;
  static std::optional<sparse_histogram> from_blob(std::string_view blob);

  const std::vector<std::pair<std::uint16_t, std::uint64_t>>& buckets() const noexcept { return buckets_; }

 private:
  std::vector<std::pair<std::uint16_t, std::uint64_t>> buckets_;  // sorted by bucket
  std::uint64_t count_ = 0;
  std::uint64_t max_ = 0;
};

}  // namespace serentak::monitor
