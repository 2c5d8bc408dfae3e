// `serentak serve` never blocks on its own stdout (docs/reliability.md, section 3): with stdout a
// pipe nobody reads (full), a pager stopped with SIGSTOP, or a reader that has closed, requests are
// still answered, /__serentak/stats and /metrics still answer and count the dropped access lines,
// the drop is said once on stderr, and SIGTERM stops the server within a bound in each state.
// Each case is a bash script around the real binary, so the pipes are real ones.
#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "support/process_runner.hpp"
#include "support/test_paths.hpp"

namespace serentak {
namespace {

using namespace std::chrono_literals;

// Starts `serve` with stdout into $d/out (a FIFO) after `setup` has arranged its reader, reads
// the port from the banner line, fills the pipe with 3,000 requests (a 16 KiB access-log buffer
// and the 64 KiB pipe hold about 600 lines), then one more request timed, the stats, the
// metrics, and SIGTERM timed. `detach` runs after the banner was read (e.g. stops the reader).
testing::process_result run_case(const std::string& setup, const std::string& read_banner, const std::string& detach,
                                 const testing::scratch_dir& dir, const std::string& cleanup = ":") {
  std::string b = "\"" + testing::binary_path().string() + "\"";
  std::string d = "'" + dir.path().string() + "'";
  std::string script =
      "set -u; d=" + d + "; B=" + b + "; mkfifo $d/out; seq 1 3000 > $d/ids; " + setup +
      "; $B serve --port 0 --delay-scale 0 --threads 2 --access-log-buffer 16384 >$d/out 2>$d/err 3>&- & pid=$!; " +
      read_banner + "; port=${banner##*:}; " + detach +
      "; $B fetch --url \"http://127.0.0.1:$port/status/ok?i={}\" -i $d/ids -c 20 -q --no-log "
      "--summary json --timeout 10; "
      "t=$(date +%s%N); code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' http://127.0.0.1:$port/status/ok); "
      "echo \"one=$code ms=$(( ($(date +%s%N) - t) / 1000000 ))\"; "
      "echo \"stats=$(curl -s -m 10 http://127.0.0.1:$port/__serentak/stats)\"; "
      "curl -s -m 10 http://127.0.0.1:$port/metrics | grep '^serentak_access_lines_dropped_total'; "
      "kill -0 $pid && echo alive; "
      "t=$(date +%s%N); kill -TERM $pid; wait $pid; echo \"exit=$? stop_ms=$(( ($(date +%s%N) - t) / 1000000 ))\"; "
      "echo \"err=$(cat $d/err)\"; " + cleanup;
  return testing::run_process({"/bin/bash", "-c", script}, 120s);
}

long number_after(const std::string& text, const std::string& key) {
  auto at = text.find(key);
  if (at == std::string::npos) return -1;
  return std::stol(text.substr(at + key.size()));
}

void expect_served_and_stopped(const testing::process_result& r) {
  ASSERT_FALSE(r.timed_out) << r.out << r.err;
  EXPECT_NE(r.out.find("\"ok\":3000"), std::string::npos) << "every request answered: " << r.out;
  EXPECT_NE(r.out.find("one=200"), std::string::npos) << r.out;
  // A correctness bound, not a speed figure: a blocked server never answers (curl gives up at 10 s).
  EXPECT_LT(number_after(r.out, "ms="), 1500) << r.out;
  EXPECT_GT(number_after(r.out, "\"access_lines_dropped\":"), 0) << r.out;
  EXPECT_GT(number_after(r.out, "serentak_access_lines_dropped_total "), 0) << r.out;
  EXPECT_NE(r.out.find("alive"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("exit=0 "), std::string::npos) << r.out;
  // Issue 14.5: within 1 s (measured: tens of milliseconds; the bound leaves room for a loaded CI machine).
  EXPECT_LT(number_after(r.out, "stop_ms="), 1000) << "SIGTERM must stop the server within a second: " << r.out;
  // Said once on stderr, however many were dropped.
  std::string once = "access lines are being dropped";
  auto first = r.out.find(once);
  EXPECT_NE(first, std::string::npos) << r.out;
  if (first != std::string::npos) {
    EXPECT_EQ(r.out.find(once, first + 1), std::string::npos) << r.out;
  }
}

TEST(ServerOutput, AStdoutPipeNobodyReadsNeverDelaysRequestsAndDropsAreCounted) {
  testing::scratch_dir dir;
  // This shell holds the FIFO open (both ends) and reads the banner's first line, then nothing.
  auto r = run_case("exec 3<>$d/out", "read -r banner <&3", ":", dir);
  expect_served_and_stopped(r);
}

TEST(ServerOutput, APagerStoppedWithSigstopNeverDelaysRequests) {
  testing::scratch_dir dir;
  // A reader copies stdout to a file until it is stopped, as a pager paused at a prompt.
  auto r = run_case("cat $d/out > $d/seen & cat_pid=$!",
                    "for i in $(seq 200); do grep -q 'running on' $d/seen 2>/dev/null && break; sleep 0.05; done; "
                    "banner=$(head -1 $d/seen)",
                    "kill -STOP $cat_pid", dir, "kill -KILL $cat_pid");
  expect_served_and_stopped(r);
}

TEST(ServerOutput, AReaderThatClosedLeavesTheServerAliveAndServing) {
  testing::scratch_dir dir;
  // The only reader closes after the banner: every later write is EPIPE (SIGPIPE must not kill).
  auto r = run_case("exec 3<>$d/out", "read -r banner <&3", "exec 3>&-", dir);
  expect_served_and_stopped(r);
  EXPECT_NE(r.out.find("closed"), std::string::npos) << "the note names the cause: " << r.out;
}

}  // namespace
}  // namespace serentak
