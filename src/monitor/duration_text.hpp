#pragma once
// Durations as a monitor file and a condition write them: "100ms", "10s", "5m", "72h", "7d", and
// sums such as "1h30m". Integer amounts only, so "1.5s" is an error, not a silent rounding.
// Pure functions, no I/O; safe from any thread.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace serentak::monitor {

// Units: ms, s, m, h, d. At least one amount-unit pair; no sign, no spaces inside.
// nullopt when the text is not such a duration or exceeds ~290 years.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) noexcept;

// The shortest exact form: 100ms, 10s, 5m, 1h30m, 7d, 0s.
std::string format_duration(std::chrono::milliseconds d);

}  // namespace serentak::monitor
