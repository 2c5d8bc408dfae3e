#pragma once
// Says once, on stderr, that Redis went away, and once that it is back: a worker's reader, its
// record flusher and its main loop all notice an outage, and the user should read one line, not
// three per retry. Thread safety: report_down/report_up are called from any thread; mutex_
// guards down_.

#include <algorithm>
#include <chrono>
#include <mutex>
#include <string>

namespace serentak::queue {

class outage_reporter {
 public:
  explicit outage_reporter(std::string prefix) : prefix_(std::move(prefix)) {}
  void report_down(const std::string& why);  // the first call of an outage prints
  void report_up();                          // prints only after a report_down

 private:
  std::string prefix_;  // "serentak job work"
  std::mutex mutex_;    // guards down_
  bool down_ = false;
};

// Backoff for reconnecting: 100 ms doubling to 5 s.
class reconnect_backoff {
 public:
  std::chrono::milliseconds next() {
    auto wait = wait_;
    wait_ = std::min(wait_ * 2, std::chrono::milliseconds(5000));
    return wait;
  }
  void reset() { wait_ = std::chrono::milliseconds(100); }

 private:
  std::chrono::milliseconds wait_{100};
};

}  // namespace serentak::queue
