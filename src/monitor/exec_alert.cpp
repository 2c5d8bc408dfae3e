#include "monitor/exec_alert.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>
#include <thread>

#include <fmt/format.h>

#include "core/fd_guard.hpp"

extern char** environ;

namespace serentak::monitor {
namespace {

using steady = std::chrono::steady_clock;

std::string errno_text(int error) { return std::error_code(error, std::generic_category()).message(); }

// posix_spawn's two setup objects, destroyed on every return.
struct spawn_setup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  int error = 0;

  spawn_setup() {
    error = posix_spawn_file_actions_init(&actions);
    if (error == 0 && (error = posix_spawnattr_init(&attributes)) != 0) posix_spawn_file_actions_destroy(&actions);
  }
  ~spawn_setup() {
    if (error != 0) return;
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
  }
  spawn_setup(const spawn_setup&) = delete;
  spawn_setup& operator=(const spawn_setup&) = delete;
};

// stdin from the pipe, stdout and stderr to /dev/null; an empty signal mask and default actions,
// since the monitor blocks SIGINT/SIGTERM/SIGHUP for its signal watcher and a child would inherit
// the mask (and any SIG_IGN) across exec.
int prepare(spawn_setup& setup, int stdin_fd) {
  sigset_t none;
  sigemptyset(&none);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int sig : {SIGPIPE, SIGXFSZ, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD}) sigaddset(&defaults, sig);
  for (int error : {posix_spawn_file_actions_adddup2(&setup.actions, stdin_fd, STDIN_FILENO),
                    posix_spawn_file_actions_addopen(&setup.actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0),
                    posix_spawn_file_actions_adddup2(&setup.actions, STDOUT_FILENO, STDERR_FILENO),
                    posix_spawnattr_setsigmask(&setup.attributes, &none),
                    posix_spawnattr_setsigdefault(&setup.attributes, &defaults),
                    posix_spawnattr_setflags(&setup.attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)}) {
    if (error != 0) return error;
  }
  return 0;
}

bool out_of_time(steady::time_point deadline, const cancel_check& cancelled) {
  return steady::now() >= deadline || (cancelled && cancelled());
}

// Writes input to the child's stdin (non-blocking, so the deadline holds even when the child does
// not read). A child that closes its stdin early ends the writing, not the run: its exit status decides.
// SIGPIPE is blocked on this thread meanwhile, and the one an EPIPE raised is consumed.
bool write_input(int fd, std::string_view input, steady::time_point deadline, const cancel_check& cancelled) {
  sigset_t pipe_only;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  sigset_t previous;
  pthread_sigmask(SIG_BLOCK, &pipe_only, &previous);
  sigset_t pending;
  sigpending(&pending);
  const bool was_pending = sigismember(&pending, SIGPIPE) == 1;

  bool in_time = true;
  bool broken = false;
  std::size_t written = 0;
  while (written < input.size()) {
    const ssize_t n = ::write(fd, input.data() + written, input.size() - written);
    if (n > 0) {
      written += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (out_of_time(deadline, cancelled)) {
        in_time = false;
        break;
      }
      pollfd p{fd, POLLOUT, 0};
      ::poll(&p, 1, 20);
    } else {
      broken = true;  // EPIPE: the child closed its stdin or already exited
      break;
    }
  }
  if (broken && !was_pending) {
    const timespec zero{0, 0};
    sigtimedwait(&pipe_only, nullptr, &zero);
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return in_time;
}

struct ending {
  int status = 0;
  bool reaped = true;   // false: waitpid failed (someone else reaped it: SIGCHLD ignored)
  bool killed = false;  // we sent SIGKILL
};

// Polls waitpid (1 ms, doubling to 10 ms: an alert command is rare and short), and at the deadline
// kills the child by its PID, which is still ours: it is not reaped until the blocking waitpid below.
ending wait_for_exit(pid_t pid, steady::time_point deadline, const cancel_check& cancelled) {
  ending end;
  auto step = std::chrono::milliseconds{1};
  for (;;) {
    const pid_t r = ::waitpid(pid, &end.status, WNOHANG);
    if (r == pid) return end;
    if (r < 0 && errno != EINTR) {
      end.reaped = false;
      return end;
    }
    if (out_of_time(deadline, cancelled)) break;
    std::this_thread::sleep_for(step);
    step = std::min(step * 2, std::chrono::milliseconds{10});
  }
  ::kill(pid, SIGKILL);
  end.killed = true;
  while (::waitpid(pid, &end.status, 0) < 0) {
    if (errno != EINTR) {
      end.reaped = false;
      break;
    }
  }
  return end;
}

}  // namespace

attempt_result run_exec_alert(const std::vector<std::string>& argv, std::string_view input,
                              std::chrono::milliseconds timeout, const cancel_check& cancelled) {
  if (argv.empty() || argv[0].empty()) return {false, false, "no command to run"};
  const auto deadline = steady::now() + timeout;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return {false, false, "cannot make a pipe: " + errno_text(errno)};
  fd_guard read_end(fds[0]);
  fd_guard write_end(fds[1]);

  spawn_setup setup;
  if (setup.error != 0) return {false, false, "cannot prepare the command: " + errno_text(setup.error)};
  if (const int error = prepare(setup, read_end.get()); error != 0) {
    return {false, false, "cannot prepare the command: " + errno_text(error)};
  }
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));  // posix_spawn only reads them
  args.push_back(nullptr);
  pid_t pid = -1;
  // glibc reports a failed exec (missing program, not executable) here, as posix_spawn's result.
  if (const int error = posix_spawnp(&pid, args[0], &setup.actions, &setup.attributes, args.data(), environ);
      error != 0) {
    return {false, false, fmt::format("cannot start {}: {}", argv[0], errno_text(error))};
  }
  read_end.reset();
  ::fcntl(write_end.get(), F_SETFL, ::fcntl(write_end.get(), F_GETFL) | O_NONBLOCK);
  write_input(write_end.get(), input, deadline, cancelled);
  write_end.reset();  // EOF on the child's stdin

  const ending end = wait_for_exit(pid, deadline, cancelled);
  if (end.killed) {
    const bool timed_out = steady::now() >= deadline;
    return {false, false,
            timed_out ? fmt::format("timed out after {} ms, killed", timeout.count()) : "stopped at close, killed"};
  }
  if (!end.reaped) return {false, false, "its exit status was lost (reaped elsewhere)"};
  if (WIFEXITED(end.status)) {
    const int code = WEXITSTATUS(end.status);
    return {code == 0, false, fmt::format("exit status {}", code)};
  }
  if (WIFSIGNALED(end.status)) return {false, false, fmt::format("killed by signal {}", WTERMSIG(end.status))};
  return {false, false, "ended without an exit status"};
}

}  // namespace serentak::monitor
