#include "core/process_start.hpp"

#include <time.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace serentak {

std::chrono::steady_clock::time_point process_start_time() noexcept {
  const auto now = std::chrono::steady_clock::now();
  try {
    std::ifstream stat("/proc/self/stat");
    std::string line;
    if (!std::getline(stat, line)) return now;
    // Field 2 (the command name) is in parentheses and may hold spaces: count fields after the last ')'.
    const auto close = line.rfind(')');
    if (close == std::string::npos) return now;
    std::istringstream fields(line.substr(close + 2));  // from field 3 on
    std::string field;
    for (int i = 3; i < 22 && fields >> field; ++i) {
    }
    long long start_ticks = 0;
    if (!(fields >> start_ticks)) return now;
    const long ticks_per_second = ::sysconf(_SC_CLK_TCK);
    timespec boot{};
    if (ticks_per_second <= 0 || ::clock_gettime(CLOCK_BOOTTIME, &boot) != 0) return now;
    // Before the multiplication: a start more than ~290 years after boot would overflow it.
    if (start_ticks < 0 || start_ticks > 9'000'000'000LL * ticks_per_second) return now;
    const auto since_boot = std::chrono::seconds(boot.tv_sec) + std::chrono::nanoseconds(boot.tv_nsec);
    const auto started_since_boot = std::chrono::nanoseconds(
        start_ticks * (1'000'000'000LL / ticks_per_second));
    const auto age = since_boot - started_since_boot;
    // A clock-tick rounding can put the start a few ms "after" now; an absurd age means a bad read.
    if (age.count() < 0) return now;
    if (age > std::chrono::hours(24 * 365)) return now;
    return now - std::chrono::duration_cast<std::chrono::steady_clock::duration>(age);
  } catch (...) {
    return now;
  }
}

}  // namespace serentak
