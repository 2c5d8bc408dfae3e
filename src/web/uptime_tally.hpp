#pragma once
// One endpoint's pass/fail counts over the last 30 days, in memory: 24 hourly buckets and 31 daily
// ones (432 bytes, so 10,000 endpoints cost 4 MB), seeded from the history's hourly roll-ups at
// startup and fed by each check after. Uptime over 24 h, 7 d and 30 d is read from it without a
// query. Windows are whole buckets: "24 h" is the current hour and the 23 before it; "7 d" the
// current UTC day and the 6 before. A plain value; the owner (dashboard_state) locks it.

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>

namespace serentak::web {

class uptime_tally {
 public:
  using wall_time = std::chrono::system_clock::time_point;

  // Adds count checks, failures of them failed, in the hour holding at.
  void add(wall_time at, std::uint64_t count, std::uint64_t failures);
  // The share of passed checks in the window (1.0 = 100%); nullopt when no check fell in it.
  std::optional<double> over_hours(wall_time now, int hours) const;  // hours <= 24
  std::optional<double> over_days(wall_time now, int days) const;    // days <= 31

 private:
  struct bucket {
    std::int64_t index = -1;  // hours (or days) since the epoch; -1: empty
    std::uint32_t count = 0;
    std::uint32_t failures = 0;
  };
  static void put(bucket& b, std::int64_t index, std::uint64_t count, std::uint64_t failures);

  std::array<bucket, 24> hours_{};
  std::array<bucket, 31> days_{};
};

}  // namespace serentak::web
