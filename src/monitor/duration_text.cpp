#include "monitor/duration_text.hpp"

#include <array>
#include <cstdint>
#include <utility>

#include <fmt/format.h>

namespace serentak::monitor {
namespace {

struct unit_entry {
  std::string_view name;
  std::int64_t ms;
};
// Longest names first where one is a prefix of another ("ms" before "m").
constexpr std::array units{unit_entry{"ms", 1}, unit_entry{"s", 1000}, unit_entry{"m", 60'000},
                           unit_entry{"h", 3'600'000}, unit_entry{"d", 86'400'000}};
constexpr std::int64_t max_ms = INT64_C(9'000'000'000'000'000);  // ~285 years: far from overflow

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) noexcept {
  if (text.empty()) return std::nullopt;
  std::int64_t total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::int64_t amount = 0;
    std::size_t digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (amount > max_ms / 10) return std::nullopt;
      amount = amount * 10 + (text[i] - '0');
      ++i;
      ++digits;
    }
    if (digits == 0) return std::nullopt;
    const unit_entry* unit = nullptr;
    for (const auto& u : units) {
      if (text.substr(i, u.name.size()) == u.name) {
        unit = &u;
        break;
      }
    }
    if (unit == nullptr) return std::nullopt;
    i += unit->name.size();
    if (amount > (max_ms - total) / unit->ms) return std::nullopt;
    total += amount * unit->ms;
  }
  return std::chrono::milliseconds{total};
}

std::string format_duration(std::chrono::milliseconds d) {
  std::int64_t left = d.count();
  if (left == 0) return "0s";
  std::string out;
  if (left < 0) {
    out += '-';
    left = -left;
  }
  for (auto it = units.rbegin(); it != units.rend(); ++it) {
    if (left >= it->ms) {
      out += fmt::format("{}{}", left / it->ms, it->name);
      left %= it->ms;
    }
  }
  return out;
}

}  // namespace serentak::monitor
