#include "core/timestamp.hpp"

#include <algorithm>
#include <array>
#include <ctime>

#include <fmt/format.h>

namespace serentak {
namespace {

// "YYYY-MM-DD HH:MM:SS" of the last whole second this thread formatted. Every log line needs a
// timestamp and most share their second with the line before: localtime_r (which takes glibc's
// time zone lock) and fmt then run once a second per thread instead of once a line.
struct second_cache {
  std::int64_t second = -1;
  std::array<char, 19> text{};
};

thread_local second_cache cache;

}  // namespace

void format_timestamp_into(wall_clock::time_point when, char* out) {
  using namespace std::chrono;
  auto since_epoch = duration_cast<microseconds>(when.time_since_epoch());
  auto secs = floor<seconds>(since_epoch);
  auto micros = (since_epoch - secs).count();
  if (secs.count() != cache.second) {
    std::time_t t = static_cast<std::time_t>(secs.count());
    std::tm local{};
    localtime_r(&t, &local);
    fmt::format_to_n(cache.text.data(), cache.text.size(), "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
                     local.tm_year + 1900, local.tm_mon + 1, local.tm_mday, local.tm_hour, local.tm_min,
                     local.tm_sec);
    cache.second = secs.count();
  }
  std::copy(cache.text.begin(), cache.text.end(), out);
  out[19] = '.';
  for (int i = 25; i >= 20; --i) {
    out[i] = static_cast<char>('0' + micros % 10);
    micros /= 10;
  }
}

std::string format_timestamp(wall_clock::time_point when) {
  std::string out(timestamp_length, ' ');
  format_timestamp_into(when, out.data());
  return out;
}

}  // namespace serentak
