#pragma once
// Local wall-clock timestamps in the seed's format, as Python's str(datetime.now()) and
// datetime.now().strftime("%Y-%m-%d %H:%M:%S.%f") print them: "2026-11-24 09:15:02.123456".
// Thread-safe (uses localtime_r).

#include <chrono>
#include <string>

namespace serentak {

using wall_clock = std::chrono::system_clock;

// Always 26 characters; microseconds are always printed, even when zero.
std::string format_timestamp(wall_clock::time_point when);

}  // namespace serentak
