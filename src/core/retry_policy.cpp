#include "core/retry_policy.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <ctime>

#include "core/ascii.hpp"

namespace serentak {
namespace {

std::optional<int> month_index(std::string_view name) {
  constexpr std::array<std::string_view, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (std::size_t i = 0; i < months.size(); ++i) {
    if (months[i] == name) return static_cast<int>(i);
  }
  return std::nullopt;
}

template <typename T>
bool parse_number(std::string_view s, T& out) {
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

// "Wed, 21 Oct 2015 07:28:00 GMT" -> seconds since the epoch.
std::optional<std::time_t> parse_imf_fixdate(std::string_view v) {
  if (v.size() != 29 || v.substr(3, 2) != ", " || v.substr(25) != " GMT") return std::nullopt;
  std::tm tm{};
  int day = 0, year = 0, hour = 0, minute = 0, second = 0;
  auto month = month_index(v.substr(8, 3));
  if (!month || !parse_number(v.substr(5, 2), day) || !parse_number(v.substr(12, 4), year) ||
      !parse_number(v.substr(17, 2), hour) || !parse_number(v.substr(20, 2), minute) ||
      !parse_number(v.substr(23, 2), second) || v[19] != ':' || v[22] != ':') {
    return std::nullopt;
  }
  tm.tm_mday = day;
  tm.tm_mon = *month;
  tm.tm_year = year - 1900;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return timegm(&tm);
}

}  // namespace

bool retry_policy::should_retry(outcome o, long http_status, int attempts) const noexcept {
  return attempts <= max_retries && is_retryable(o, http_status);
}

std::chrono::milliseconds retry_policy::delay_before(int attempts, double unit_random,
                                                     std::optional<std::chrono::milliseconds> retry_after) const noexcept {
  if (retry_after) return std::clamp(*retry_after, std::chrono::milliseconds(0), max_retry_after);
  double exponent = std::min(attempts - 1, 30);
  double ceiling = std::min(static_cast<double>(max_delay.count()),
                            static_cast<double>(base_delay.count()) * std::pow(2.0, exponent));
  double wait = std::clamp(unit_random, 0.0, 1.0) * ceiling;
  return std::chrono::milliseconds(static_cast<long long>(wait));
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now) {
  value = trim_header_value(value);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (value.size() > 9) return std::chrono::milliseconds(999'999'999'000LL);  // absurd: the cap applies
    long long seconds = 0;
    if (!parse_number(value, seconds)) return std::nullopt;
    return std::chrono::milliseconds(seconds * 1000);
  }
  auto when = parse_imf_fixdate(value);
  if (!when) return std::nullopt;
  auto delta = std::chrono::system_clock::from_time_t(*when) - now;
  return std::max(std::chrono::duration_cast<std::chrono::milliseconds>(delta), std::chrono::milliseconds(0));
}

}  // namespace serentak
