#pragma once
// Turns SIGINT/SIGTERM into a stop flag instead of an abrupt death, so a run can finish what is
// final and print its summary. Construct it in main's thread before any other thread starts:
// it blocks the two signals for the whole process and one watcher thread sigwait()s for them.
// A second SIGINT exits at once (status 130), as users expect of a command-line tool.
//
// Thread safety: stop_flag() is read by any thread; on_signal runs on the watcher thread.

#include <atomic>
#include <functional>
#include <thread>

#include <signal.h>

namespace serentak::cli {

class signal_watch {
 public:
  explicit signal_watch(std::function<void(int)> on_signal = {});
  ~signal_watch();
  signal_watch(const signal_watch&) = delete;
  signal_watch& operator=(const signal_watch&) = delete;

  const std::atomic<bool>& stop_flag() const noexcept { return stop_; }
  int signal_number() const noexcept { return signal_.load(); }  // 0 until a signal arrived
  // The exit status for a run that was interrupted (130 or 143), or 0 when none was.
  int interrupted_exit_status() const noexcept;

 private:
  void watch();

  std::atomic<bool> stop_{false};
  std::atomic<int> signal_{0};
  std::atomic<bool> quitting_{false};  // set by the destructor before it wakes the watcher
  std::function<void(int)> on_signal_;
  sigset_t previous_mask_{};
  std::thread watcher_;
};

}  // namespace serentak::cli
