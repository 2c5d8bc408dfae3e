#include "queue/outage_reporter.hpp"

#include <cstdio>
#include <string>

#include <fmt/format.h>

#include "log/line_writer.hpp"

namespace serentak::queue {
namespace {

// Worker threads call these: a write that fails (stderr closed or full) must not throw.
void say(const std::string& line) noexcept { (void)log::write_fully(2, line); }

}  // namespace

void outage_reporter::report_down(const void* who, const std::string& why) {
  std::lock_guard lock(mutex_);
  const bool first = down_.empty();
  down_.insert(who);
  if (announced_ || !first || (stop_ != nullptr && stop_->load())) return;
  if (std::chrono::steady_clock::now() - back_at_ < std::chrono::seconds(5)) return;  // the same outage, seen late
  announced_ = true;
  say(fmt::format("{}: {}; pausing and reconnecting with backoff\n", prefix_, why));
}

void outage_reporter::report_up(const void* who) {
  std::lock_guard lock(mutex_);
  if (down_.erase(who) == 0 || !down_.empty()) return;
  back_at_ = std::chrono::steady_clock::now();
  if (!announced_) return;
  announced_ = false;
  say(fmt::format("{}: Redis is back; going on\n", prefix_));
}

void outage_reporter::warn_once(const std::string& what) {
  std::lock_guard lock(mutex_);
  if (warned_.size() >= 16 || !warned_.insert(what).second) return;
  say(fmt::format("{}: {}\n", prefix_, what));
}

void outage_reporter::refuse(const std::string& why) {
  std::lock_guard lock(mutex_);
  if (refused_.load()) return;
  refusal_ = why;
  refused_.store(true, std::memory_order_release);
}

std::string outage_reporter::refusal() const {
  std::lock_guard lock(mutex_);
  return refusal_;
}

}  // namespace serentak::queue
