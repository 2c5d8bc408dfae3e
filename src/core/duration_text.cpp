#include "core/duration_text.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <utility>

namespace serentak {

std::optional<std::chrono::duration<double>> parse_duration(std::string_view text) {
  if (text.empty() || text.front() == '+' || text.front() == '-') return std::nullopt;
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::fixed);
  if (ec != std::errc() || end == text.data()) return std::nullopt;
  std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  // The whole rest must be one unit: "5ms" is milliseconds, "5mss" nothing.
  constexpr std::array<std::pair<std::string_view, double>, 5> units{
      {{"", 1.0}, {"ms", 0.001}, {"s", 1.0}, {"m", 60.0}, {"h", 3600.0}}};
  for (const auto& [name, seconds] : units) {
    if (unit != name) continue;
    double total = value * seconds;
    if (!std::isfinite(total)) return std::nullopt;
    return std::chrono::duration<double>(total);
  }
  return std::nullopt;
}

}  // namespace serentak
