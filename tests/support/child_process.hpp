#pragma once
// A program running in the background for one test: its stdout and stderr go to files in a
// folder, it can be signalled (SIGKILL, SIGSTOP, SIGCONT, SIGTERM) and waited for with a
// deadline. The destructor SIGKILLs and reaps it if it still runs. Not thread-safe.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace serentak::testing {

class child_process {
 public:
  // argv[0] is the program; out/err are written to out_prefix + ".out" / ".err".
  child_process(const std::vector<std::string>& argv, const std::filesystem::path& out_prefix);
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  pid_t pid() const noexcept { return pid_; }
  void signal(int sig) const;
  // The exit status (128 + signal when killed), or nullopt if it still runs after timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  // Waits until the process has blocked SIGTERM (serentak's signal_watch runs), up to timeout.
  bool wait_until_watching(std::chrono::milliseconds timeout) const;
  std::string out() const;
  std::string err() const;

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::filesystem::path out_path_;
  std::filesystem::path err_path_;
};

}  // namespace serentak::testing
