#include "core/timestamp.hpp"

#include <ctime>

#include <fmt/format.h>

namespace serentak {

std::string format_timestamp(wall_clock::time_point when) {
  using namespace std::chrono;
  auto since_epoch = duration_cast<microseconds>(when.time_since_epoch());
  auto secs = floor<seconds>(since_epoch);
  auto micros = (since_epoch - secs).count();
  std::time_t t = static_cast<std::time_t>(secs.count());
  std::tm local{};
  localtime_r(&t, &local);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06}", local.tm_year + 1900, local.tm_mon + 1,
                     local.tm_mday, local.tm_hour, local.tm_min, local.tm_sec, micros);
}

}  // namespace serentak
