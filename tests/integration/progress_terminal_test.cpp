// The progress line as a user sees it: serentak runs with stderr on a pseudo-terminal (as in an
// interactive shell or tmux), and the test reads what the terminal received.

#include <cerrno>
#include <chrono>
#include <iterator>
#include <regex>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "support/running_server.hpp"
#include "support/test_paths.hpp"

namespace {

using serentak::testing::binary_path;
using serentak::testing::running_server;

struct terminal_run {
  std::string terminal;  // every byte written to stderr
  int exit_code = -1;
};

// Runs serentak with stdout on /dev/null and stderr on a new pseudo-terminal; reads the terminal
// until the program ends (at most 30 s, then it is killed).
terminal_run run_on_terminal(std::vector<std::string> args) {
  int master = -1;
  int slave = -1;
  if (::openpty(&master, &slave, nullptr, nullptr, nullptr) != 0) {
    ADD_FAILURE() << "openpty: " << errno;
    return {};
  }
  std::string program = binary_path().string();
  args.insert(args.begin(), program);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);

  pid_t pid = ::fork();
  if (pid == 0) {  // only async-signal-safe calls until exec
    ::dup2(devnull, 0);
    ::dup2(devnull, 1);
    ::dup2(slave, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(slave);
  ::close(devnull);

  terminal_run run;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  char buffer[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{master, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    ssize_t n = ::read(master, buffer, sizeof buffer);
    if (n <= 0) break;  // EIO: the last holder of the terminal's other end has exited
    run.terminal.append(buffer, static_cast<std::size_t>(n));
  }
  if (std::chrono::steady_clock::now() >= deadline) ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(master);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

// Four items fetched one at a time with the seed's 0.1-0.5 s delays: long enough for the line,
// redrawn every 250 ms, to be drawn more than once.
std::vector<std::string> slow_profiles_run(const running_server& server) {
  return {"profiles", "--base", server.base_url(), "--no-log", "-c", "1", "1121", "1122", "1123", "1124"};
}

TEST(progress_terminal, a_terminal_sees_one_line_redrawn_in_place_then_erased) {
  running_server server(/*delay_scale=*/1.0);
  terminal_run run = run_on_terminal(slow_profiles_run(server));
  ASSERT_EQ(run.exit_code, 0) << run.terminal;

  const std::string redraw = "\r\x1b[2K";
  const std::regex drawn(R"(\r\x1b\[2K[0-4]/4 done \(\d+%\), \d+\.\d/s, ETA (--|\d+s), 0 failed)");
  auto draws = std::distance(std::sregex_iterator(run.terminal.begin(), run.terminal.end(), drawn), std::sregex_iterator());
  EXPECT_GE(draws, 2) << run.terminal;
  // The line is redrawn in place (never a newline) and erased at the end, so the shell prompt
  // that follows starts on a clean line.
  EXPECT_EQ(run.terminal.find('\n'), std::string::npos) << run.terminal;
  ASSERT_GE(run.terminal.size(), redraw.size());
  EXPECT_EQ(run.terminal.substr(run.terminal.size() - redraw.size()), redraw);
}

TEST(progress_terminal, quiet_draws_nothing_even_on_a_terminal) {
  running_server server(/*delay_scale=*/1.0);
  auto args = slow_profiles_run(server);
  args.push_back("--quiet");
  terminal_run run = run_on_terminal(args);
  ASSERT_EQ(run.exit_code, 0) << run.terminal;
  EXPECT_EQ(run.terminal, "");
}

}  // namespace
