#pragma once
// Durations as people type them on a command line: "500ms", "5s", "2m", "1h", "1.5s", or a bare
// number of seconds ("5", "0.25"), as --timeout has always taken. Pure; thread-safe.

#include <chrono>
#include <optional>
#include <string_view>

namespace serentak {

// nullopt for anything else: empty, negative, NaN, infinite, an unknown unit, trailing bytes.
std::optional<std::chrono::duration<double>> parse_duration(std::string_view text);

}  // namespace serentak
