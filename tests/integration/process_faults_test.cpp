// Issue 5, item 4: process faults around a run of the real `serentak` binary: stdout closed early
// (`| head -1`), a full disk (/dev/full) for the results, an open-file limit far below -c, the
// server killed and restarted mid-run, and a results file whose records are not this input's. (SIGINT/SIGTERM and SIGKILL + --resume are in
// signals_test.cpp and fetch_test.cpp.)
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <sys/resource.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/file_text.hpp"
#include "support/process_runner.hpp"
#include "support/running_server.hpp"
#include "support/scripted_http_server.hpp"
#include "support/test_paths.hpp"

namespace serentak {
namespace {

using namespace std::chrono_literals;
using testing::binary_path;
using testing::run_process;
using testing::running_server;
using testing::scratch_dir;
using testing::scripted_http_server;
using testing::scripted_reply;
using testing::scripted_request;

using testing::write_file;
using testing::read_file;

// index -> how many records name it; every line must be valid JSON.
std::map<std::size_t, int> count_records(const std::filesystem::path& path) {
  std::map<std::size_t, int> count;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    auto record = nlohmann::json::parse(line, nullptr, false);
    EXPECT_FALSE(record.is_discarded()) << line;
    if (record.is_object() && record.contains("serentak_results")) continue;  // the results preamble (docs/cli.md)
    if (!record.is_discarded()) ++count[record["index"].get<std::size_t>()];
  }
  return count;
}

std::string quoted(const std::string& text) { return "'" + text + "'"; }

TEST(process_faults, stdout_closed_early_is_a_quiet_exit_3_and_loses_no_record) {
  scripted_http_server server([](const scripted_request&) { return scripted_reply::respond(200, "{}"); });
  scratch_dir dir;
  std::string command = quoted(binary_path().string()) + " fetch --url " + quoted(server.url("/p?id={}")) +
                        " 1 2 3 4 5 --summary text -q --log log.txt -o out.jsonl";
  // `| true` closes the pipe before serentak writes its summary (EPIPE for certain); `| head -1`
  // is the everyday case. Exit statuses of both sides are echoed for the assertions.
  for (const std::string& reader : {std::string("true"), std::string("head -1")}) {
    std::string script = command + " 2>err.txt | " + reader + "; echo \"status=${PIPESTATUS[0]}\"";
    auto r = run_process({"/bin/bash", "-c", script}, 30s, dir.path().string());
    ASSERT_FALSE(r.timed_out) << reader;
    auto at = r.out.find("status=");
    ASSERT_NE(at, std::string::npos) << reader << ": " << r.out;
    int status = std::stoi(r.out.substr(at + 7));
    // Done with every item; SIGPIPE is ignored, so the write of the closing lines gets EPIPE and the
    // run ends with the documented status for an output that cannot be written (3), quietly.
    // `head -1` may still be reading when the last line is written: then nothing failed (0).
    if (reader == "true") {
      EXPECT_EQ(status, 3) << reader;
    } else {
      EXPECT_TRUE(status == 0 || status == 3) << reader << ": exit " << status;
    }
    EXPECT_EQ(read_file(dir.path() / "err.txt"), "") << reader << ": no error spew on stderr";
    auto records = count_records(dir.path() / "out.jsonl");
    EXPECT_EQ(records.size(), 5u) << reader;
  }
}

TEST(process_faults, a_full_disk_for_the_results_is_a_clear_failure_and_nothing_is_marked_done) {
  scripted_http_server server([](const scripted_request&) { return scripted_reply::respond(200, "{}"); });
  scratch_dir dir;
  auto r = run_process({binary_path().string(), "fetch", "--url", server.url("/p?id={}"), "1", "2", "3", "--log", "log.txt",
                        "-o", "/dev/full", "--format", "jsonl"},
                       30s, dir.path().string());
  ASSERT_FALSE(r.timed_out);
  // The results file's preamble (its first line) cannot be written: refused before any request,
  // exit 2 naming the file, so no item is fetched and lost. (A failure during the run, once the
  // preamble is in, is exit 3: results_safety.a_write_cut_short_by_the_file_size_limit...)
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("cannot write results file '/dev/full': No space left on device"), std::string::npos) << r.err;
  EXPECT_EQ(server.requests_seen(), 0u);
}

TEST(process_faults, an_open_file_limit_below_the_concurrency_is_clamped_with_a_message_and_completes) {
  // The in-process server holds up to a few hundred connections: make room for them here.
  rlimit limit{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);

  running_server server(0.0);
  scratch_dir dir;
  std::string ids;
  for (int i = 0; i < 1000; ++i) ids += std::to_string(1121 + i % 5) + "\n";
  write_file(dir.path() / "ids.txt", ids);
  std::string script = "ulimit -n 256 && exec " + quoted(binary_path().string()) + " fetch --url " +
                       quoted(server.base_url() + "/get_user_profile?user_id={}") +
                       " -c 1000 -i ids.txt -o out.jsonl --no-log -q --summary none";
  auto r = run_process({"/bin/bash", "-c", script}, 120s, dir.path().string());
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("-c 1000 does not fit the open-file limit 256; using -c"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  auto records = count_records(dir.path() / "out.jsonl");
  ASSERT_EQ(records.size(), 1000u);
  for (const auto& [index, n] : records) EXPECT_EQ(n, 1) << index;
  EXPECT_EQ(records.rbegin()->first, 999u);
}

TEST(process_faults, a_server_killed_and_restarted_on_its_port_loses_no_item_and_duplicates_none) {
  scratch_dir dir;
  std::string ids;
  for (int i = 0; i < 60; ++i) ids += std::to_string(1121 + i % 5) + "\n";
  write_file(dir.path() / "ids.txt", ids);
  // `serentak serve` (profiles: 0.1-0.5 s each, so 60 items at -c 6 take about 3 s) is SIGKILLed once
  // some records are written, however slow the build, and started again on its port 300 ms later.
  // (`$server` is timeout's pid; the kill goes to its child, serentak.)
  // Every process is bounded by `timeout`, every wait loop by a count.
  std::string s = quoted(binary_path().string());
  std::string script =
      "timeout 60 " + s + " serve --port 0 --quiet --seed 5 > serve1.txt 2>&1 & server=$!\n"
      "for i in $(seq 200); do port=$(grep -o '127.0.0.1:[0-9]*' serve1.txt | head -1 | cut -d: -f2); "
      "[ -n \"$port\" ] && break; sleep 0.05; done\n"
      "timeout 90 " + s + " fetch --url \"http://127.0.0.1:$port/get_user_profile?user_id={}\" -i ids.txt -c 6 "
      "--retries 10 -o out.jsonl --no-log -q > client.txt 2>&1 & client=$!\n"
      "for i in $(seq 400); do [ \"$(wc -l < out.jsonl 2>/dev/null || echo 0)\" -ge 10 ] && break; sleep 0.05; done\n"
      "echo \"written_at_kill=$(wc -l < out.jsonl)\"\n"
      "kill -KILL $(ps -o pid= --ppid $server); wait $server; sleep 0.3\n"
      "timeout 60 " + s + " serve --port $port --quiet --seed 5 > serve2.txt 2>&1 & server=$!\n"
      "wait $client; echo \"client_exit=$?\"\n"
      "kill -TERM $(ps -o pid= --ppid $server); wait $server\n";
  auto r = run_process({"/bin/bash", "-c", script}, 120s, dir.path().string());
  ASSERT_FALSE(r.timed_out) << r.out << r.err;
  auto written = r.out.find("written_at_kill=");
  ASSERT_NE(written, std::string::npos) << r.out << r.err;
  EXPECT_LT(std::stoi(r.out.substr(written + 16)), 60) << "the run ended before the kill: the test proved nothing";
  EXPECT_NE(r.out.find("client_exit=0"), std::string::npos) << r.out << read_file(dir.path() / "client.txt");
  EXPECT_NE(read_file(dir.path() / "serve2.txt").find("running on http://127.0.0.1:"), std::string::npos)
      << "the server did not come back on its port: " << read_file(dir.path() / "serve2.txt");

  std::map<std::size_t, int> by_index;
  std::size_t ok = 0;
  std::ifstream in(dir.path() / "out.jsonl");
  for (std::string line; std::getline(in, line);) {
    auto record = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(record.is_discarded()) << line;
    if (record.is_object() && record.contains("serentak_results")) continue;  // the results preamble (docs/cli.md)
    ++by_index[record["index"].get<std::size_t>()];
    ok += record["outcome"] == "ok" ? 1 : 0;
  }
  ASSERT_EQ(by_index.size(), 60u) << "an item was lost";
  for (const auto& [index, n] : by_index) EXPECT_EQ(n, 1) << "index " << index << " recorded " << n << " times";
  EXPECT_EQ(ok, 60u);
}

TEST(process_faults, resume_ignores_records_that_are_not_this_inputs_without_exhausting_memory) {
  scripted_http_server server([](const scripted_request&) { return scripted_reply::respond(200, "{}"); });
  scratch_dir dir;
  // A results file from another, larger input (or a hand-edited one): a huge index must neither
  // size the "done" table (terabytes) nor count as one of these three items.
  auto record = [](std::string index, std::string item, std::string url) {
    return "{\"index\":" + index + ",\"item\":\"" + item + "\",\"url\":\"" + url +
           "\",\"outcome\":\"ok\",\"status\":200,\"attempts\":1,\"latency_ms\":1.0}\n";
  };
  write_file(dir.path() / "out.jsonl", "{\"serentak_results\":1,\"spec\":{\"method\":\"GET\",\"url\":\"" +
                                           server.url("/p?id={}") +
                                           "\",\"headers\":[],\"body_sha256\":\"\",\"theme\":\"fetch\"}}\n" +
                                           record("99999999999999", "zz", "http://elsewhere/") +
                                           record("1", "b", server.url("/p?id=b")) + record("7", "q", server.url("/p?id=q")));
  auto r = run_process({binary_path().string(), "fetch", "--url", server.url("/p?id={}"), "a", "b", "c", "--no-log", "-o",
                        "out.jsonl", "--resume", "--summary", "json"},
                       30s, dir.path().string());
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(server.requests_seen(), 2u) << "items 0 and 2 are missing; item 1 is done";
  // Against the same binary doing nothing: a sanitizer build starts at 150-220 MB (its relocations
  // and shadow, growing with the code), a release one at 15 MB; a done table sized by the foreign
  // index would be terabytes.
  const auto idle = run_process({binary_path().string(), "--version"}, 30s, dir.path().string());
  EXPECT_LT(r.max_rss_kb, idle.max_rss_kb + 64 * 1024)
      << "the resume scan must not allocate for foreign indexes (idle: " << idle.max_rss_kb << " KB)";
  auto records = count_records(dir.path() / "out.jsonl");
  EXPECT_EQ(records[0], 1);
  EXPECT_EQ(records[1], 1);
  EXPECT_EQ(records[2], 1);
}

}  // namespace
}  // namespace serentak
