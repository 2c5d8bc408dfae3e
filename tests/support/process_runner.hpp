#pragma once
// Runs a program to completion for a test, capturing stdout and stderr, with a deadline after
// which it is killed (so a hung command fails its test instead of hanging the suite).

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace serentak::testing {

struct process_result {
  int exit_code = -1;      // the exit status, or 128 + signal when killed by one
  bool timed_out = false;  // the deadline passed and the process was killed
  std::string out;
  std::string err;
  std::chrono::steady_clock::duration wall{};
  long max_rss_kb = 0;     // the child's peak resident set size
};

// argv[0] is the program path. cwd empty: the test's cwd. stdin_path empty: stdin is /dev/null.
process_result run_process(const std::vector<std::string>& argv, std::chrono::milliseconds deadline,
                           const std::string& cwd = {}, const std::string& stdin_path = {});

// Runs the serentak under test (args without argv[0]) to completion, in cwd when given, killed after
// the deadline: a guard against a hang, not a speed limit, so generous for the sanitizer builds.
process_result serentak(std::vector<std::string> args, std::chrono::milliseconds deadline = std::chrono::seconds(60));
process_result serentak(std::vector<std::string> args, const std::filesystem::path& cwd,
                        std::chrono::milliseconds deadline = std::chrono::seconds(60));

// A shell fragment for a script whose background serentak is $pid: bash starts background jobs with
// SIGINT ignored, so a SIGINT sent before serentak's signal watch blocks it would be discarded. Waits
// (20 s at most) until /proc shows $pid blocking SIGINT, so a signal sent next is handled.
inline const std::string shell_wait_until_watching =
    "for i in $(seq 400); do blk=$(awk '/^SigBlk/ {print $2}' /proc/$pid/status 2>/dev/null); "
    "[ -n \"$blk\" ] && (( 0x$blk & 2 )) && break; sleep 0.05; done; ";

}  // namespace serentak::testing
