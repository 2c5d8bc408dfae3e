#pragma once
// A token bucket for a global request rate (--rate R/s): `rate` tokens per second, bursts of at
// most `burst`. Pure arithmetic on a caller-supplied clock; not thread-safe: the engine keeps one
// behind its rate_mutex_.

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace serentak {

class token_bucket {
 public:
  using clock = std::chrono::steady_clock;

  // rate > 0 tokens per second; burst >= 1.
  token_bucket(double rate_per_second, double burst, clock::time_point now);

  // Takes one token if there is one. Otherwise returns false and sets wait to when one will be.
  bool try_take(clock::time_point now, clock::duration& wait) noexcept;
  // Puts back one token taken and not used; the bucket still holds at most `burst`.
  void give_back() noexcept { tokens_ = std::min(burst_, tokens_ + 1.0); }
  // From now on, rate_per_second (> 0) tokens per second; what was earned so far is kept.
  void set_rate(double rate_per_second, clock::time_point now) noexcept;
  double rate() const noexcept { return rate_; }

 private:
  void refill(clock::time_point now) noexcept;

  double rate_;     // tokens per second
  double burst_;    // bucket size
  double tokens_;   // current level, <= burst_
  clock::time_point last_;
};

// Parses "50", "50/s", "300/m", "100/h", "2.5/s" (per second); nullopt on anything else or a rate <= 0.
std::optional<double> parse_rate(std::string_view text);

// The lowest rate a user may ask for (--rate, --host-rate): one a hour. A slower one is a typo
// (--rate 1e-300 would wait longer than the universe has existed: a run that never ends).
inline constexpr double min_rate_per_second = 1.0 / 3600.0;

// An option's rate ("--rate", "50/s") checked: nullopt with rate set, or the one-line reason
// (not a rate above 0, or below min_rate_per_second), naming the option and the text escaped.
std::optional<std::string> check_rate_option(std::string_view option, std::string_view text, double& rate);

}  // namespace serentak
