#include "core/distinct_estimate.hpp"

#include <bit>
#include <cmath>

namespace serentak {

distinct_estimate::distinct_estimate() : registers_(std::size_t{1} << precision, 0) {}

void distinct_estimate::add(std::uint64_t hash) noexcept {
  std::size_t index = static_cast<std::size_t>(hash >> (64 - precision));
  // A guard bit below the 48 bits left bounds the rank at 49.
  std::uint64_t rest = (hash << precision) | (std::uint64_t{1} << (precision - 1));
  auto rank = static_cast<std::uint8_t>(std::countl_zero(rest) + 1);
  if (rank > registers_[index]) registers_[index] = rank;
}

std::size_t distinct_estimate::estimate() const noexcept {
  const double m = static_cast<double>(registers_.size());
  double sum = 0;
  std::size_t zeros = 0;
  for (std::uint8_t r : registers_) {
    sum += std::ldexp(1.0, -static_cast<int>(r));
    if (r == 0) ++zeros;
  }
  double e = 0.7213 / (1 + 1.079 / m) * m * m / sum;
  // Small counts: linear counting over the empty registers is the more accurate estimate there.
  if (e <= 2.5 * m && zeros > 0) e = m * std::log(m / static_cast<double>(zeros));
  return static_cast<std::size_t>(std::llround(e));
}

}  // namespace serentak
