#include "cli/signal_watch.hpp"

#include <pthread.h>
#include <unistd.h>

#include "cli/exit_codes.hpp"
#include "log/console.hpp"

namespace serentak::cli {
namespace {

// SIGUSR2 only wakes the watcher when the watch ends; it is never acted on.
sigset_t watched_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR2);
  return set;
}

}  // namespace

signal_watch::signal_watch(std::function<void(int)> on_signal) : on_signal_(std::move(on_signal)) {
  sigset_t set = watched_signals();
  pthread_sigmask(SIG_BLOCK, &set, &previous_mask_);
  watcher_ = std::thread([this] { watch(); });
}

signal_watch::~signal_watch() {
  quitting_.store(true);
  pthread_kill(watcher_.native_handle(), SIGUSR2);
  watcher_.join();
  pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
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
    if (signal_.load() == SIGINT && sig == SIGINT) {  // the second Ctrl-C: at once, the user's screen back
      log::console::restore_before_forced_exit();
      _exit(exit_sigint);
    }
    int expected = 0;
    signal_.compare_exchange_strong(expected, sig);
    stop_.store(true);
    if (on_signal_) on_signal_(sig);
  }
}

int signal_watch::interrupted_exit_status() const noexcept {
  switch (signal_.load()) {
    case SIGINT: return exit_sigint;
    case SIGTERM: return exit_sigterm;
    default: return 0;
  }
}

}  // namespace serentak::cli
