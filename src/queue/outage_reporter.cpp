#include "queue/outage_reporter.hpp"

#include <cstdio>

#include <fmt/format.h>

namespace serentak::queue {

void outage_reporter::report_down(const std::string& why) {
  std::lock_guard lock(mutex_);
  if (down_) return;
  down_ = true;
  fmt::print(stderr, "{}: {}; pausing and reconnecting with backoff\n", prefix_, why);
}

void outage_reporter::report_up() {
  std::lock_guard lock(mutex_);
  if (!down_) return;
  down_ = false;
  fmt::print(stderr, "{}: Redis is back; going on\n", prefix_);
}

}  // namespace serentak::queue
