// Issue 14, point 4: errors always reach their exit code. The real binary runs with stdout or
// stderr closed, on /dev/full, or on a pipe whose reader has gone, for a theme command, fetch,
// `serve --print-scenario` and `--help`: never a crash or a death by signal, the documented exit
// status every time (3 for a stdout that cannot be written), and descriptors 0-2 closed at start
// never end up as the log file.
#include <chrono>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "support/running_server.hpp"
#include "support/scripted_http_server.hpp"
#include "support/test_paths.hpp"

namespace serentak {
namespace {

using namespace std::chrono_literals;
using testing::binary_path;
using testing::running_server;
using testing::scratch_dir;

// What a standard descriptor of the child is: closed, /dev/full, a pipe nobody reads, or a file
// (for stderr: the test reads it back).
enum class target { closed, full, broken_pipe, file, dev_null };

struct child_result {
  int exit_code = -1;  // -1 when not a normal exit
  int signal = 0;      // the signal that killed it, if one did
  std::string err;     // stderr, when it was a file
};

struct child_setup {
  target in = target::dev_null;
  target out = target::dev_null;
  target err = target::file;
  std::chrono::milliseconds term_after{0};  // > 0: SIGTERM the child after this long...
  // ...and not before this says the child is past its start (signal handlers installed): a slow
  // start (a sanitizer build on a busy machine) must not turn the test into "SIGTERM kills a
  // process that has not set its handler yet".
  std::function<bool()> started = [] { return true; };
};

int open_target(target t, int pipe_write_end, const std::string& err_file) {
  switch (t) {
    case target::full:
      return ::open("/dev/full", O_WRONLY | O_CLOEXEC);
    case target::broken_pipe:
      return pipe_write_end;
    case target::file:
      return ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    case target::dev_null:
      return ::open("/dev/null", O_RDWR | O_CLOEXEC);
    case target::closed:
      return -1;
  }
  return -1;
}

child_result run_child(std::vector<std::string> args, const child_setup& setup, const std::string& cwd) {
  args.insert(args.begin(), binary_path().string());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::string err_file = cwd + "/stderr.txt";

  int fds[2];
  EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  ::close(fds[0]);  // the reader is gone before the child starts: every write is EPIPE
  int in = open_target(setup.in, fds[1], err_file);
  int out = open_target(setup.out, fds[1], err_file);
  int err = setup.err == target::file ? open_target(target::file, fds[1], err_file)
                                      : open_target(setup.err, fds[1], err_file);

  pid_t pid = ::fork();
  if (pid == 0) {  // async-signal-safe calls only: set 0, 1, 2 up (or close them), then exec
    if (::chdir(cwd.c_str()) != 0) ::_exit(126);
    // Move the sources above 2 first so a dup2 onto one does not clobber another.
    int sources[3] = {in, out, err};
    for (int& s : sources) {
      if (s >= 0 && s <= 2) s = ::fcntl(s, F_DUPFD, 10);
    }
    for (int fd = 0; fd <= 2; ++fd) {
      if (sources[fd] < 0) {
        ::close(fd);
      } else {
        ::dup2(sources[fd], fd);
      }
    }
    ::signal(SIGPIPE, SIG_DFL);  // as a shell would leave it: the program must make its own choice
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  for (int fd : {in, out, err, fds[1]}) {
    if (fd >= 0) ::close(fd);
  }
  auto deadline = std::chrono::steady_clock::now() + 30s;
  auto term_at = std::chrono::steady_clock::now() + setup.term_after;
  bool termed = false;
  int status = 0;
  for (;;) {
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    auto now = std::chrono::steady_clock::now();
    if (setup.term_after.count() > 0 && !termed && now >= term_at && setup.started()) {
      ::kill(pid, SIGTERM);
      termed = true;
    }
    if (now >= deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      ADD_FAILURE() << "the child hung";
      break;
    }
    std::this_thread::sleep_for(10ms);
  }
  child_result result;
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  std::ifstream in_err(err_file);
  result.err.assign(std::istreambuf_iterator<char>(in_err), {});
  return result;
}

std::string describe(const std::vector<std::string>& args) {
  std::string text;
  for (const auto& a : args) text += a + " ";
  return text;
}

// The four kinds of command the issue names, each with the exit status it has when stdout is fine.
struct command_case {
  std::vector<std::string> args;
  int normal_exit;
};

std::vector<command_case> commands(const running_server& server) {
  return {
      {{"weather", "--base", server.base_url(), "--no-log", "JAKARTA"}, 0},
      {{"fetch", "--url", server.base_url() + "/get_user_profile?user_id={}", "--no-log", "1121"}, 0},
      {{"serve", "--print-scenario", "weather"}, 0},
      {{"--help"}, 0},
  };
}

TEST(unwritable_output, stdout_on_dev_full_is_exit_3_with_one_line_on_stderr) {
  running_server server;
  scratch_dir dir;
  for (const command_case& c : commands(server)) {
    auto r = run_child(c.args, {.out = target::full}, dir.path().string());
    EXPECT_EQ(r.signal, 0) << describe(c.args);
    EXPECT_EQ(r.exit_code, 3) << describe(c.args) << r.err;
    EXPECT_NE(r.err.find("cannot write to stdout: No space left on device"), std::string::npos)
        << describe(c.args) << r.err;
  }
}

TEST(unwritable_output, stdout_on_a_pipe_without_reader_is_exit_3_quietly_never_sigpipe) {
  running_server server;
  scratch_dir dir;
  for (const command_case& c : commands(server)) {
    auto r = run_child(c.args, {.out = target::broken_pipe}, dir.path().string());
    EXPECT_EQ(r.signal, 0) << describe(c.args) << ": killed by a signal";
    EXPECT_EQ(r.exit_code, 3) << describe(c.args) << r.err;
    EXPECT_EQ(r.err, "") << describe(c.args) << ": the reader chose to leave; nothing to say";
  }
}

TEST(unwritable_output, closed_standard_descriptors_keep_the_normal_exit_status) {
  running_server server;
  scratch_dir dir;
  for (const command_case& c : commands(server)) {
    for (child_setup setup : {child_setup{.out = target::closed}, child_setup{.err = target::closed},
                              child_setup{.in = target::closed, .out = target::closed, .err = target::closed}}) {
      auto r = run_child(c.args, setup, dir.path().string());
      EXPECT_EQ(r.signal, 0) << describe(c.args);
      EXPECT_EQ(r.exit_code, c.normal_exit) << describe(c.args);
    }
  }
}

TEST(unwritable_output, an_unwritable_stderr_keeps_every_documented_status) {
  running_server server;
  scratch_dir dir;
  for (target err : {target::full, target::broken_pipe, target::closed}) {
    // 0: a good run; 2: a usage error it cannot tell anyone about; 1: items failed.
    auto ok = run_child(commands(server)[0].args, {.err = err}, dir.path().string());
    EXPECT_EQ(ok.exit_code, 0);
    auto usage = run_child({"fetch", "--timeout", "-5", "1"}, {.err = err}, dir.path().string());
    EXPECT_EQ(usage.exit_code, 2);
    auto typo = run_child({"wether"}, {.err = err}, dir.path().string());
    EXPECT_EQ(typo.exit_code, 2);
    auto failed =
        run_child({"profiles", "--base", server.base_url(), "--no-log", "9999"}, {.err = err}, dir.path().string());
    EXPECT_EQ(failed.exit_code, 1);
    EXPECT_EQ(failed.signal, 0);
  }
}

TEST(unwritable_output, sigterm_is_143_even_when_neither_stdout_nor_stderr_can_be_written) {
  testing::scripted_http_server hanging(
      [](const testing::scripted_request&) { return testing::scripted_reply::hang(); });
  scratch_dir dir;
  for (target t : {target::full, target::broken_pipe}) {
    std::size_t seen_before = hanging.requests_seen();
    auto r = run_child({"fetch", "--url", hanging.url("/p?id={}"), "--no-log", "--timeout", "20s", "1", "2"},
                       {.out = t,
                        .err = t,
                        .term_after = 200ms,
                        .started = [&] { return hanging.requests_seen() > seen_before; }},
                       dir.path().string());
    EXPECT_EQ(r.signal, 0);
    EXPECT_EQ(r.exit_code, 143);
  }
}

TEST(unwritable_output, descriptors_closed_at_start_never_become_the_log) {
  running_server server;
  scratch_dir dir;
  // With 1 and 2 closed, the log would otherwise be opened as descriptor 1 and receive the
  // closing lines ("Total waktu eksekusi") and -v's echo.
  auto r = run_child({"weather", "--base", server.base_url(), "--log", "log.txt", "-v", "JAKARTA"},
                     {.out = target::closed, .err = target::closed}, dir.path().string());
  EXPECT_EQ(r.exit_code, 0);
  std::ifstream in(dir.path() / "log.txt");
  std::string log(std::istreambuf_iterator<char>(in), {});
  EXPECT_TRUE(log.starts_with("--- ")) << log;
  EXPECT_EQ(log.find("Total waktu"), std::string::npos) << log;
  std::size_t lines = 0;
  for (char ch : log) lines += ch == '\n' ? 1 : 0;
  EXPECT_EQ(lines, 8u) << "header, start, five worker lines, end; each once:\n" << log;
}

}  // namespace
}  // namespace serentak
