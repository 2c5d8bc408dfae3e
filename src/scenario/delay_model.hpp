#pragma once
// Where the mock server's randomness comes from: response delays (a route's latency_model times
// delay_scale), random picks (weather without a city) and fault decisions (see route_faults).
//
// Seeded, every draw is a pure function of (seed, route path, item, purpose): splitmix64 over an
// FNV-1a hash, so a run is reproducible whatever order requests arrive in and however many
// threads serve them. Unseeded, draws come from a per-thread mt19937_64 seeded by random_device.
// Immutable after construction; draw() and its users are thread-safe.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "scenario/latency_model.hpp"
#include "themes/theme.hpp"

namespace serentak::server {

class delay_model {
 public:
  // Throws std::invalid_argument unless delay_scale is finite and >= 0.
  delay_model(std::optional<std::uint64_t> seed, double delay_scale);

  // Seconds to wait before answering item on path: uniform in [min_s, max_s) times delay_scale.
  double delay_s(std::string_view path, std::string_view item, themes::delay_range range) const;
  // Seconds to wait for item on path under model, times delay_scale. For a uniform model the draw
  // is the one above, so a theme's delays are the same whichever way its range is given.
  double delay_s(std::string_view path, std::string_view item, const latency_model& model) const;

  // An index in [0, count) for a random pick (count > 0).
  std::size_t pick(std::string_view path, std::string_view item, std::size_t count) const;

  // 64 random bits for (path, item, purpose); purposes keep the delay and the pick independent.
  std::uint64_t draw(std::string_view path, std::string_view item, std::uint64_t purpose) const;

  bool seeded() const noexcept { return seed_.has_value(); }
  double delay_scale() const noexcept { return delay_scale_; }

  // The top 53 bits of bits as a double in [0, 1).
  static double unit_interval(std::uint64_t bits) noexcept;

 private:
  std::optional<std::uint64_t> seed_;
  double delay_scale_;
};

// Seconds as the timer duration the server waits (nanoseconds, rounded; capped at 1e9 s).
std::chrono::nanoseconds to_duration(double seconds);

}  // namespace serentak::server
