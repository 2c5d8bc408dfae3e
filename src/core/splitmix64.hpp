#pragma once
// splitmix64 (Steele, Lea, Flood 2014): one step of the generator, used as a mixer that spreads every
// input bit over the whole word. Seeded draws (the mock's delays and faults, a monitor's jitter) and
// hash-table slots use it after fnv1a_64; the same on every build and platform, not cryptographic.

#include <cstdint>

namespace serentak {

constexpr std::uint64_t splitmix64(std::uint64_t x) noexcept {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace serentak
