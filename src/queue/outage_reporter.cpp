#include "queue/outage_reporter.hpp"

#include <cstdio>

#include <fmt/format.h>

namespace serentak::queue {

void outage_reporter::report_down(const void* who, const std::string& why) {
  std::lock_guard lock(mutex_);
  const bool first = down_.empty();
  down_.insert(who);
  if (announced_ || !first) return;
  if (std::chrono::steady_clock::now() - back_at_ < std::chrono::seconds(5)) return;  // the same outage, seen late
  announced_ = true;
  fmt::print(stderr, "{}: {}; pausing and reconnecting with backoff\n", prefix_, why);
}

void outage_reporter::report_up(const void* who) {
  std::lock_guard lock(mutex_);
  if (down_.erase(who) == 0 || !down_.empty()) return;
  back_at_ = std::chrono::steady_clock::now();
  if (!announced_) return;
  announced_ = false;
  fmt::print(stderr, "{}: Redis is back; going on\n", prefix_);
}

void outage_reporter::warn_once(const std::string& what) {
  std::lock_guard lock(mutex_);
  if (warned_.size() >= 16 || !warned_.insert(what).second) return;
  fmt::print(stderr, "{}: {}\n", prefix_, what);
}

}  // namespace serentak::queue
