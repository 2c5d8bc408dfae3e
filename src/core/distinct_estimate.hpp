#pragma once
// How many distinct values a stream of 64-bit hashes holds, in 64 KiB whatever the stream's length:
// HyperLogLog with 2^16 one-byte registers (standard error about 0.4%; linear counting for small
// counts). --dedupe sizes its table from it, so repeats in the input cost no table memory.
// Adding a hash again never changes the estimate. One owner at a time.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace serentak {

class distinct_estimate {
 public:
  distinct_estimate();
  void add(std::uint64_t hash) noexcept;
  std::size_t estimate() const noexcept;

 private:
  static constexpr unsigned precision = 16;  // 2^16 registers, picked by the hash's top 16 bits
  std::vector<std::uint8_t> registers_;      // the longest run of leading zeros (plus one) seen in each
};

}  // namespace serentak
