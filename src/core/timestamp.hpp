#pragma once
// Local wall-clock timestamps in the seed's format, as Python's str(datetime.now()) and
// datetime.now().strftime("%Y-%m-%d %H:%M:%S.%f") print them: "2026-11-24 09:15:02.123456".
// Thread-safe (uses localtime_r).

#include <chrono>
#include <cstddef>
#include <string>

namespace serentak {

using wall_clock = std::chrono::system_clock;

inline constexpr std::size_t timestamp_length = 26;

// Always timestamp_length characters; microseconds are always printed, even when zero.
std::string format_timestamp(wall_clock::time_point when);

// The same characters written to out[0, timestamp_length), no allocation (for the event log's
// hot path).
void format_timestamp_into(wall_clock::time_point when, char* out);

}  // namespace serentak
