#pragma once
// Turns SIGINT/SIGTERM/SIGHUP into a stop flag instead of an abrupt death, so a run can finish
// what is final and print its summary. block_stop_signals() runs first thing in cli::run, so a
// signal that comes before the watch exists stays pending (never lost, never a raw death) and is
// taken by the watch, or by pending_stop_status() on a path that ends before one exists.
// Construct the watch in main's thread before any other thread starts: one watcher thread
// sigwait()s for the signals. A SIGINT after any first signal exits at once (status 130), as
// users expect of a command-line tool.
//
// Thread safety: stop_flag() is read by any thread; on_signal runs on the watcher thread.

#include <atomic>
#include <functional>
#include <mutex>
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
  // The exit status for a run that was interrupted (129, 130 or 143), or 0 when none was.
  int interrupted_exit_status() const noexcept;

  // Replaces the callback (e.g. once the thing it stops exists); called at once if a signal has
  // already come. Thread-safe against the watcher.
  void set_on_signal(std::function<void(int)> on_signal);
  // From now on SIGHUP calls on_reload (on the watcher thread) instead of stopping the run: a
  // daemon's "read your configuration again". An empty function makes SIGHUP a stop again.
  void reload_on_hangup(std::function<void()> on_reload);

 private:
  void watch();

  std::atomic<bool> stop_{false};
  std::atomic<int> signal_{0};
  std::atomic<bool> quitting_{false};  // set by the destructor before it wakes the watcher
  std::mutex on_signal_mutex_;  // guards on_signal_ and on_reload_ (the watcher calls them under the lock)
  std::function<void(int)> on_signal_;
  std::function<void()> on_reload_;
  sigset_t previous_mask_{};
  std::thread watcher_;
};

// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread (and so in every thread it starts).
// Call it before anything else.
void block_stop_signals() noexcept;

// The exit status (129, 130, 143) of a stop signal that is pending, unhandled, or `otherwise`.
int pending_stop_status(int otherwise) noexcept;

// Whether a stop signal came: one is pending (no watch has taken it yet, or the watcher is busy), or
// a watch took one. For a wait that has no watch of its own to ask (a file being read, maybe a FIFO).
bool stop_requested() noexcept;

// stop_requested() without SIGHUP: a SIGINT or SIGTERM pending, or a watch took a stop. For a read
// done by a SIGHUP reload, where another SIGHUP (pending while the watcher reloads) is no stop.
bool interrupt_requested() noexcept;

// 129, 130, 143 for SIGHUP, SIGINT, SIGTERM; 0 for anything else.
int exit_status_for(int sig) noexcept;

}  // namespace serentak::cli
