#include "cli/signal_watch.hpp"

#include <pthread.h>
#include <unistd.h>

#include "cli/exit_codes.hpp"
#include "log/console.hpp"

namespace serentak::cli {
namespace {

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

// SIGUSR2 only wakes the watcher when the watch ends; it is never acted on.
sigset_t watched_signals() {
  sigset_t set = stop_signals();
  sigaddset(&set, SIGUSR2);
  return set;
}

std::atomic<bool> any_watch_stopped{false};  // set by every watch that takes a stop signal

}  // namespace

bool stop_requested() noexcept { return any_watch_stopped.load() || pending_stop_status(0) != 0; }

bool interrupt_requested() noexcept {
  if (any_watch_stopped.load()) return true;
  sigset_t pending;
  sigemptyset(&pending);
  if (sigpending(&pending) != 0) return false;
  return sigismember(&pending, SIGINT) == 1 || sigismember(&pending, SIGTERM) == 1;
}

void block_stop_signals() noexcept {
  sigset_t set = stop_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int exit_status_for(int sig) noexcept {
  switch (sig) {
    case SIGHUP: return exit_sighup;
    case SIGINT: return exit_sigint;
    case SIGTERM: return exit_sigterm;
    default: return 0;
  }
}

int pending_stop_status(int otherwise) noexcept {
  sigset_t pending;
  sigemptyset(&pending);
  if (sigpending(&pending) != 0) return otherwise;
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    if (sigismember(&pending, sig) == 1) return exit_status_for(sig);
  }
  return otherwise;
}

signal_watch::signal_watch(std::function<void(int)> on_signal) : on_signal_(std::move(on_signal)) {
  sigset_t set = watched_signals();
  pthread_sigmask(SIG_BLOCK, &set, &previous_mask_);
  watcher_ = std::thread([this] { watch(); });
}

signal_watch::~signal_watch() {
  quitting_.store(true);
  pthread_kill(watcher_.native_handle(), SIGUSR2);
  watcher_.join();
  // In cli::run the stop signals were blocked before (block_stop_signals) and stay so: one that
  // comes as the command ends is taken by pending_stop_status(), not a death mid-exit.
  pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
}

void signal_watch::set_on_signal(std::function<void(int)> on_signal) {
  std::lock_guard lock(on_signal_mutex_);
  on_signal_ = std::move(on_signal);
  if (int sig = signal_.load(); sig != 0 && on_signal_) on_signal_(sig);
}

void signal_watch::reload_on_hangup(std::function<void()> on_reload) {
  std::lock_guard lock(on_signal_mutex_);
  on_reload_ = std::move(on_reload);
}

void signal_watch::watch() {
  sigset_t set = watched_signals();
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGUSR2) {
      if (quitting_.load()) return;
      continue;  // someone else's SIGUSR2: ignore it
    }
    if (sig == SIGHUP && signal_.load() == 0) {
      std::lock_guard lock(on_signal_mutex_);
      if (on_reload_) {
        on_reload_();
        continue;
      }
    }
    // A Ctrl-C after any first signal (SIGINT, SIGTERM or SIGHUP) forces the exit: the graceful
    // stop is taking longer than the user will wait. The user's screen comes back first.
    if (signal_.load() != 0 && sig == SIGINT) {
      log::console::restore_before_forced_exit();
      _exit(exit_sigint);
    }
    int expected = 0;
    signal_.compare_exchange_strong(expected, sig);
    stop_.store(true);
    any_watch_stopped.store(true);
    std::lock_guard lock(on_signal_mutex_);
    if (on_signal_) on_signal_(sig);
  }
}

int signal_watch::interrupted_exit_status() const noexcept { return exit_status_for(signal_.load()); }

}  // namespace serentak::cli
