#include "support/serve_process.hpp"

#include <sys/prctl.h>
#include <csignal>
#include <regex>
#include <stdexcept>

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/test_paths.hpp"

namespace serentak::testing {
namespace {

constexpr std::size_t max_lines = 100'000;  // a test's server says far less; beyond this, lines are dropped

}  // namespace

serve_process::serve_process(std::vector<std::string> args) {
  std::vector<std::string> argv{binary_path().string(), "serve", "--port", "0"};
  argv.insert(argv.end(), args.begin(), args.end());
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    // A test that aborts (a failed assert in a library) must not leave this child running and
    // holding ctest's pipes until the timeout: it dies with its parent.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::dup2(pipe_fds[1], 1);
    std::vector<char*> raw;
    for (std::string& a : argv) raw.push_back(a.data());
    raw.push_back(nullptr);
    ::execv(raw[0], raw.data());
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  out_fd_ = pipe_fds[0];
  reader_ = std::thread([this] { read_lines(); });
  if (!wait_for_line("running on http", std::chrono::seconds(15))) return;
  static const std::regex port_pattern(R"(running on https?://[^ ]*:(\d+))");
  for (const stamped_line& line : lines()) {
    std::smatch m;
    if (std::regex_search(line.text, m, port_pattern)) port_ = static_cast<unsigned short>(std::stoi(m[1]));
  }
}

serve_process::~serve_process() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    bool reaped = false;
    for (int i = 0; i < 200 && !reaped; ++i) {  // up to 10 s
      reaped = ::waitpid(pid_, &status, WNOHANG) == pid_;
      if (!reaped) ::usleep(50'000);
    }
    if (!reaped) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
  }
  if (reader_.joinable()) reader_.join();  // the pipe reached EOF when the child exited
  if (out_fd_ >= 0) ::close(out_fd_);
}

void serve_process::read_lines() {
  std::string pending;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(out_fd_, buffer, sizeof buffer);
    if (n <= 0) break;
    auto now = std::chrono::steady_clock::now();
    pending.append(buffer, static_cast<std::size_t>(n));
    for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n')) {
      std::lock_guard lock(mutex_);
      if (lines_.size() < max_lines) lines_.push_back({now, pending.substr(0, nl)});
      pending.erase(0, nl + 1);
    }
  }
}

std::vector<stamped_line> serve_process::lines() const {
  std::lock_guard lock(mutex_);
  return lines_;
}

bool serve_process::wait_for_line(const std::string& text, std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    for (const stamped_line& line : lines()) {
      if (line.text.find(text) != std::string::npos) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

}  // namespace serentak::testing
