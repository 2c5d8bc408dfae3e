#pragma once
// Says once, on stderr, that Redis went away, and once that it is back. A worker's reader, its
// record flusher and its main loop each notice an outage on their own connection, at different
// times (the flusher only when it next writes): the first notice of an outage prints, the rest
// join it; "back" prints when every connection that noticed has reconnected; a connection that
// notices the same outage late (within 5 s of "back") joins it silently.
// Thread safety: any thread; mutex_ guards everything.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <string>

namespace serentak::queue {

class outage_reporter {
 public:
  // stop: the worker's stop flag; once it is set an outage is not announced (the worker is
  // stopping, not pausing: its closing lines say what could not be stored).
  explicit outage_reporter(std::string prefix, const std::atomic<bool>* stop = nullptr)
      : prefix_(std::move(prefix)), stop_(stop) {}
  void report_down(const void* who, const std::string& why);
  void report_up(const void* who);
  // A Redis error that is not an outage (a script refused, the job deleted): printed once per text.
  void warn_once(const std::string& what);
  // A refusal that will not pass by itself (redis_error::is_refusal: an ACL without a script the
  // worker needs, ...): the first is kept, unprinted; the source hands out nothing more and the
  // worker's main loop ends with it (one line, exit 2) instead of working on for ever.
  void refuse(const std::string& why);
  bool refused() const noexcept { return refused_.load(std::memory_order_acquire); }
  std::string refusal() const;

 private:
  std::string prefix_;  // "serentak job work"
  const std::atomic<bool>* stop_;
  std::atomic<bool> refused_{false};  // set once refusal_ is
  mutable std::mutex mutex_;          // guards everything below
  std::set<const void*> down_;        // connections that saw the outage and have not reconnected
  bool announced_ = false;            // the "pausing" line was printed and "back" not yet
  std::chrono::steady_clock::time_point back_at_{};
  std::set<std::string> warned_;  // texts warn_once printed (a handful at most)
  std::string refusal_;
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
