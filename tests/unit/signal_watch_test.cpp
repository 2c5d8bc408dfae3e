#include "cli/signal_watch.hpp"

#include <chrono>
#include <thread>

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

namespace serentak::cli {
namespace {

using namespace std::chrono_literals;

// A child whose graceful stop takes 10 s after the first signal; returns its exit status and
// how long the parent waited for it after sending `signals` signals 100 ms apart.
std::pair<int, std::chrono::steady_clock::duration> run_child(int first_signal, int signals) {
  pid_t pid = ::fork();
  if (pid == 0) {
    signal_watch watch;
    while (!watch.stop_flag().load()) std::this_thread::sleep_for(1ms);
    std::this_thread::sleep_for(10s);  // a stuck graceful path
    _exit(watch.interrupted_exit_status() == 130 ? 7 : 8);
  }
  std::this_thread::sleep_for(200ms);  // let the child block the signals and start its watcher
  auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < signals; ++i) {
    ::kill(pid, i == 0 ? first_signal : SIGINT);
    std::this_thread::sleep_for(100ms);
  }
  int status = 0;
  if (signals < 2) {
    // Graceful: the child is still in its 10 s stop; end it ourselves.
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(::waitpid(pid, &status, WNOHANG), 0) << "one signal must not end the process at once";
    ::kill(pid, SIGKILL);
  }
  ::waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), std::chrono::steady_clock::now() - started};
}

TEST(signal_watch, the_first_sigint_only_sets_the_stop_flag) {
  auto [status, waited] = run_child(SIGINT, 1);
  EXPECT_EQ(status, 128 + SIGKILL);
}

TEST(signal_watch, a_second_sigint_exits_130_at_once_even_when_stopping_is_stuck) {
  auto [status, waited] = run_child(SIGINT, 2);
  EXPECT_EQ(status, 130);
  EXPECT_LT(waited, 2s);
}

TEST(signal_watch, interrupted_exit_status_names_the_signal) {
  signal_watch watch;
  EXPECT_EQ(watch.interrupted_exit_status(), 0);
  EXPECT_FALSE(watch.stop_flag().load());
}

}  // namespace
}  // namespace serentak::cli
