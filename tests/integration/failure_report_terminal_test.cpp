// Issue 15, point 1: after a client run with stderr on a terminal, a short report of what did not
// succeed (counts, the first ten failed items with their reason, "and N more, see LOG", and the
// likely cause when no request to a host could connect), read from a real pseudo-terminal; and
// nothing at all added when stderr is not a terminal, so scripts see the seed's output only.

#include <cerrno>
#include <chrono>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "support/process_runner.hpp"
#include "support/running_server.hpp"
#include "support/test_paths.hpp"

namespace {

using namespace std::chrono_literals;
using serentak::testing::binary_path;
using serentak::testing::running_server;
using serentak::testing::scratch_dir;

struct report_terminal_run {
  std::string terminal;  // every byte written to stderr
  int exit_code = -1;
};

// Runs serentak with stdout on /dev/null and stderr on a new pseudo-terminal; reads the terminal
// until the program ends (at most 30 s, then it is killed).
report_terminal_run run_report_on_terminal(std::vector<std::string> args) {
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

  report_terminal_run run;
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

// The terminal turns "\n" into "\r\n"; the report is compared without the carriage returns.
std::string without_cr(std::string text) {
  std::erase(text, '\r');
  return text;
}

std::string no_server_base() { return "http://127.0.0.1:" + std::to_string(serentak::testing::unused_port()); }

TEST(failure_report_terminal, no_server_names_every_item_and_the_likely_cause_in_the_seed_language) {
  std::string base = no_server_base();
  std::string host = base.substr(7);
  report_terminal_run run = run_report_on_terminal({"weather", "--base", base, "--no-log"});
  EXPECT_EQ(run.exit_code, 1);
  std::string screen = without_cr(run.terminal);
  EXPECT_NE(screen.find("5 dari 5 item tidak berhasil: connection_error 5\n"), std::string::npos) << screen;
  for (const char* city : {"Worker-0 JAKARTA: connection_error (", "Worker-4 DENPASAR: connection_error ("}) {
    EXPECT_NE(screen.find(city), std::string::npos) << screen;
  }
  EXPECT_NE(screen.find("tidak ada yang mendengarkan di " + host + ": apakah servernya berjalan? (serentak serve)\n"),
            std::string::npos)
      << screen;

  report_terminal_run english =
      run_report_on_terminal({"weather", "--base", base, "--no-log", "--lang", "en", "JAKARTA"});
  std::string en = without_cr(english.terminal);
  EXPECT_NE(en.find("1 of 1 item did not succeed: connection_error 1\n"), std::string::npos) << en;
  EXPECT_NE(en.find("nothing listens on " + host + ": is the server running? (serentak serve)\n"), std::string::npos)
      << en;
}

TEST(failure_report_terminal, ten_failures_are_listed_then_and_n_more_see_the_log) {
  running_server server;
  scratch_dir dir;
  std::vector<std::string> args{"fetch",
                                "--url",
                                server.base_url() + "/get_user_profile?user_id={}",
                                "--log",
                                (dir.path() / "f.log").string(),
                                "--summary",
                                "none",
                                "1121"};
  for (int i = 0; i < 14; ++i) args.push_back("9" + std::to_string(100 + i));  // 14 ids the API does not have
  report_terminal_run run = run_report_on_terminal(args);
  EXPECT_EQ(run.exit_code, 1);
  std::string screen = without_cr(run.terminal);
  EXPECT_NE(screen.find("14 of 15 items did not succeed: not_found 14\n"), std::string::npos) << screen;
  EXPECT_NE(screen.find("  Worker-1 9100: not_found (status 404)\n"), std::string::npos) << screen;
  EXPECT_NE(screen.find("  and 4 more, see " + (dir.path() / "f.log").string() + "\n"), std::string::npos) << screen;
  std::size_t listed = 0;
  for (auto at = screen.find(": not_found (status 404)"); at != std::string::npos;
       at = screen.find(": not_found (status 404)", at + 1)) {
    ++listed;
  }
  EXPECT_EQ(listed, 10u) << screen;
  EXPECT_EQ(screen.find("nothing listens"), std::string::npos) << "the server answered: " << screen;
}

TEST(failure_report_terminal, health_lists_every_failing_url) {
  running_server server;
  std::vector<std::string> args{"health", "--base", server.base_url(), "--no-log", "/status/ok"};
  for (int i = 0; i < 13; ++i) args.push_back("/status/missing-" + std::to_string(i));
  report_terminal_run run = run_report_on_terminal(args);
  EXPECT_EQ(run.exit_code, 1);
  std::string screen = without_cr(run.terminal);
  EXPECT_NE(screen.find("13 dari 14 item tidak berhasil: not_found 13\n"), std::string::npos) << screen;
  for (int i = 0; i < 13; ++i) {
    EXPECT_NE(screen.find("/status/missing-" + std::to_string(i) + ": not_found"), std::string::npos) << i << screen;
  }
  EXPECT_EQ(screen.find("lainnya"), std::string::npos) << screen;
}

TEST(failure_report_terminal, quiet_or_every_item_ok_adds_nothing) {
  running_server server;
  report_terminal_run quiet = run_report_on_terminal({"weather", "--base", no_server_base(), "--no-log", "-q"});
  EXPECT_EQ(quiet.exit_code, 1);
  EXPECT_EQ(quiet.terminal, "");
  report_terminal_run ok = run_report_on_terminal({"profiles", "--base", server.base_url(), "--no-log", "-q", "1121"});
  EXPECT_EQ(ok.exit_code, 0);
  EXPECT_EQ(ok.terminal, "");
}

TEST(failure_report_terminal, stderr_that_is_not_a_terminal_gets_nothing_added) {
  scratch_dir dir;
  auto r = serentak::testing::run_process({binary_path().string(), "weather", "--base", no_server_base()}, 30s,
                                          dir.path().string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "") << "scripts stay clean";
  EXPECT_TRUE(r.out.starts_with("\nLog aktivitas klien disimpan di: weather_client_log.txt\nTotal waktu eksekusi: "))
      << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 3) << r.out;
}

}  // namespace
