#include "core/token_bucket.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

#include "core/log_text.hpp"

namespace serentak {

token_bucket::token_bucket(double rate_per_second, double burst, clock::time_point now)
    : rate_(rate_per_second), burst_(std::max(burst, 1.0)), tokens_(std::max(burst, 1.0)), last_(now) {}

void token_bucket::refill(clock::time_point now) noexcept {
  if (now <= last_) return;
  double elapsed = std::chrono::duration<double>(now - last_).count();
  tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
  last_ = now;
}

bool token_bucket::try_take(clock::time_point now, clock::duration& wait) noexcept {
  refill(now);
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    return true;
  }
  // Capped so the conversion to clock ticks stays defined: at 1e-10 tokens a second the wait
  // would be 1e10 s, more nanoseconds than the clock's int64 holds (undefined behaviour).
  constexpr double max_wait_seconds = 365.0 * 86'400.0;
  double missing_seconds = std::min((1.0 - tokens_) / rate_, max_wait_seconds);
  wait = std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(missing_seconds));
  return false;
}

void token_bucket::set_rate(double rate_per_second, clock::time_point now) noexcept {
  refill(now);
  rate_ = rate_per_second;
}

std::optional<double> parse_rate(std::string_view text) {
  double per = 1.0;
  if (text.ends_with("/s")) {
    text.remove_suffix(2);
  } else if (text.ends_with("/m")) {
    text.remove_suffix(2);
    per = 60.0;
  } else if (text.ends_with("/h")) {
    text.remove_suffix(2);
    per = 3600.0;
  }
  // A decimal number only: stod alone would also take " 5", "0x10" and "inf".
  if (text.empty() || text.find_first_not_of("0123456789.eE+-") != std::string_view::npos) return std::nullopt;
  std::string copy(text);
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(copy, &used);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (used != copy.size() || !std::isfinite(value) || value <= 0) return std::nullopt;
  return value / per;
}

std::optional<std::string> check_rate_option(std::string_view option, std::string_view text, double& rate) {
  std::optional<double> parsed = parse_rate(text);
  const std::string named = std::string(option) + " '" + escape_for_log(text) + "'";
  if (!parsed) return named + " is not a rate above 0 (e.g. 50, 50/s, 300/m, 100/h)";
  if (*parsed < min_rate_per_second) return named + " is below the lowest rate, 1 per hour (e.g. 1/h, 0.1/m)";
  rate = *parsed;
  return std::nullopt;
}

}  // namespace serentak
