#pragma once
// When this process started, on the steady clock: the kernel's record of its fork
// (/proc/self/stat's starttime, in clock ticks since boot, so 10 ms steps), mapped onto
// std::chrono::steady_clock through CLOCK_BOOTTIME. A schedule that promises "within one interval
// of the launch" counts from here, so exec, the dynamic loader and start-up are inside it.
// Falls back to now when /proc cannot be read. Thread-safe (reads only).

#include <chrono>

namespace serentak {

std::chrono::steady_clock::time_point process_start_time() noexcept;

}  // namespace serentak
