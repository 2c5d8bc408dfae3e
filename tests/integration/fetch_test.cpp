// `serentak fetch` and the inputs every client command shares: order, validation before any
// request, --dedupe, results files, --resume after SIGKILL, memory that does not grow with input.
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/file_text.hpp"
#include "support/result_records.hpp"
#include "support/process_runner.hpp"
#include "support/running_server.hpp"
#include "support/test_paths.hpp"
#include "support/transport_param.hpp"

namespace serentak {
namespace {

using namespace std::chrono_literals;
using testing::binary_path;
using testing::run_process;
using testing::running_server;
using testing::scratch_dir;

std::string profile_url(const running_server& server) { return server.base_url() + "/get_user_profile?user_id={}"; }

using testing::write_file;

using testing::read_result_records;
testing::process_result run_fetch(std::vector<std::string> args, const std::string& stdin_path = {},
                                  std::chrono::milliseconds deadline = 60s) {
  args.insert(args.begin(), {binary_path().string(), "fetch", "--transport",
                             std::string(client::to_string(testing::current_transport()))});
  return run_process(args, deadline, {}, stdin_path);
}

// Every test runs once with `--transport curl` and once with `--transport native`.
class fetch_command : public testing::transport_test {};
SERENTAK_FOR_EACH_TRANSPORT(fetch_command);

TEST_P(fetch_command, items_come_from_arguments_stdin_and_files_in_the_documented_order) {
  running_server server;
  scratch_dir dir;
  write_file(dir.path() / "stdin.txt", "s1\r\ns2\n");
  write_file(dir.path() / "f1.txt", "\xEF\xBB\xBF# ids\nx\n\n  y  \n");
  auto out = dir.path() / "out.jsonl";
  auto r = run_fetch({"--url", profile_url(server), "a", "-", "b", "-i", (dir.path() / "f1.txt").string(), "-o",
                      out.string(), "--no-log", "-q"},
                     (dir.path() / "stdin.txt").string());
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 1) << r.err;  // none of these users exist: 404s
  std::map<std::size_t, std::string> by_index;
  for (const auto& record : read_result_records(out)) {
    by_index[record["index"]] = record["item"];
    EXPECT_EQ(record.value("http_version", ""), "1.1") << record;  // either transport, HTTP/1.1 to the mock
  }
  EXPECT_EQ(by_index, (std::map<std::size_t, std::string>{{0, "a"}, {1, "s1"}, {2, "s2"}, {3, "b"}, {4, "x"}, {5, "y"}}));
}

TEST_P(fetch_command, the_log_has_one_outcome_line_per_item_between_the_run_lines) {
  running_server server;
  scratch_dir dir;
  auto log = dir.path() / "fetch.log";
  auto r = run_fetch({"--url", profile_url(server), "1121", "nobody", "1122", "--log", log.string(), "-q"});
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 1) << r.err;  // "nobody" is a 404
  std::ifstream in(log);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 6u);  // header, run started, three items, run finished
  EXPECT_NE(lines[0].find("--- Fetch Log Started: "), std::string::npos);
  EXPECT_NE(lines[1].find("] [MainClient] Starting 3 concurrent requests."), std::string::npos) << lines[1];
  std::map<std::string, std::string> by_worker;
  for (std::size_t i = 2; i < 5; ++i) {
    auto name_end = lines[i].find("] ", 30);  // "[<26-character timestamp>] [<name>] <message>"
    by_worker[lines[i].substr(30, name_end - 30)] = lines[i].substr(name_end + 2);
  }
  const std::string base = server.base_url() + "/get_user_profile?user_id=";
  EXPECT_EQ(by_worker["Worker-0"], "Success! " + base + "1121 answered with status 200.");
  EXPECT_EQ(by_worker["Worker-1"], "Error: " + base + "nobody not found (404).");
  EXPECT_EQ(by_worker["Worker-2"], "Success! " + base + "1122 answered with status 200.");
  EXPECT_NE(lines[5].find("] [MainClient] All requests finished in "), std::string::npos) << lines[5];
}

TEST_P(fetch_command, a_bad_input_line_is_exit_2_naming_the_line_before_any_request) {
  running_server server;
  scratch_dir dir;
  write_file(dir.path() / "nul.txt", std::string("1121\n1122\nbad\0id\n", 17));
  write_file(dir.path() / "long.txt", "1121\n" + std::string(70000, '9') + "\n");
  std::filesystem::create_directory(dir.path() / "folder");
  struct bad_input {
    std::string file;
    std::string expected;
  };
  for (const bad_input& bad : {bad_input{"nul.txt", "line 3: contains a NUL byte"},
                               bad_input{"long.txt", "line 2: longer than 65536 bytes"},
                               bad_input{"folder", "is a directory"}, bad_input{"missing.txt", "No such file"}}) {
    auto log = dir.path() / "log.txt";
    auto out = dir.path() / "out.jsonl";
    auto r = run_fetch({"--url", profile_url(server), "-i", (dir.path() / bad.file).string(), "--log", log.string(),
                        "-o", out.string()});
    EXPECT_EQ(r.exit_code, 2) << bad.file << ": " << r.err;
    EXPECT_NE(r.err.find(bad.expected), std::string::npos) << bad.file << ": " << r.err;
    EXPECT_FALSE(std::filesystem::exists(log)) << bad.file << ": the run must stop before it starts";
    EXPECT_FALSE(std::filesystem::exists(out)) << bad.file;
  }
}

TEST_P(fetch_command, refuses_non_http_urls_and_needs_a_template) {
  scratch_dir dir;
  write_file(dir.path() / "urls.txt", "http://127.0.0.1:1/ok\nfile:///etc/passwd\n");
  auto r = run_fetch({"--urls", "-i", (dir.path() / "urls.txt").string(), "--no-log"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("line 2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("only http and https"), std::string::npos) << r.err;
  EXPECT_EQ(run_fetch({"1121"}).exit_code, 2);
  EXPECT_EQ(run_fetch({"--url", "http://h/no-braces", "1"}).exit_code, 2);
  EXPECT_EQ(run_fetch({"--url", "http://h/{}", "--resume", "1"}).exit_code, 2) << "--resume needs --out";
  EXPECT_EQ(run_fetch({"--url", "http://h/{}", "-o", "out.txt", "1"}).exit_code, 2) << "unknown results format";
}

TEST_P(fetch_command, dedupe_fetches_each_distinct_item_once_and_csv_has_a_header) {
  running_server server;
  scratch_dir dir;
  auto out = dir.path() / "out.csv";
  auto r = run_fetch({"--url", profile_url(server), "1121", "1122", "1121", "1125", "1122", "--dedupe", "-o",
                      out.string(), "--no-log", "--summary", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(out);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_TRUE(lines[0].starts_with("#{\"serentak_results\":1,")) << lines[0];  // the preamble (docs/cli.md)
  EXPECT_EQ(lines[1], "index,item,url,outcome,status,attempts,latency_ms,error,data,http_version");
  std::map<std::string, int> items;
  for (std::size_t i = 2; i < lines.size(); ++i) ++items[lines[i].substr(lines[i].find(',') + 1, 4)];
  EXPECT_EQ(items, (std::map<std::string, int>{{"1121", 1}, {"1122", 1}, {"1125", 1}}));
  auto summary = nlohmann::json::parse(r.out.substr(r.out.rfind('\n', r.out.size() - 2) + 1));
  EXPECT_EQ(summary["outcomes"]["ok"], 3);
}

TEST_P(fetch_command, dedupe_keeps_every_distinct_item_and_drops_every_repeat_across_stdin_and_two_files) {
  running_server server;
  scratch_dir dir;
  // Repeats within a part and across parts, written otherwise (CRLF, spaces, a BOM), and items that
  // are prefixes of others: 236 distinct items among 304.
  std::string in_stdin, in_f1, in_f2;
  for (int i = 0; i < 100; ++i) in_stdin += "u" + std::to_string(i) + (i % 2 ? "\r\n" : "\n");
  in_stdin += "u7\n";
  in_f1 = "\xEF\xBB\xBF" "u1\n# u200\n";
  for (int i = 50; i < 150; ++i) in_f1 += "  u" + std::to_string(i) + "\t\n";
  for (int i = 0; i < 100; ++i) in_f2 += "u" + std::to_string(i) + "0\n";  // u00..u990: u10, u20.. repeat
  write_file(dir.path() / "stdin.txt", in_stdin);
  write_file(dir.path() / "f1.txt", in_f1);
  write_file(dir.path() / "f2.txt", in_f2 + "u150\nu0\n");
  std::vector<std::string> expected;  // first occurrences, in input order
  {
    std::set<std::string> seen;
    auto add = [&](const std::string& item) {
      if (seen.insert(item).second) expected.push_back(item);
    };
    for (int i = 0; i < 100; ++i) add("u" + std::to_string(i));
    for (int i = 50; i < 150; ++i) add("u" + std::to_string(i));
    for (int i = 0; i < 100; ++i) add("u" + std::to_string(i) + "0");
    add("u150");
  }
  auto out = dir.path() / "out.jsonl";
  auto r = run_fetch({"--url", profile_url(server), "--dedupe", "-", "-i", (dir.path() / "f1.txt").string(), "-i",
                      (dir.path() / "f2.txt").string(), "-o", out.string(), "--no-log", "-q", "-c", "20"},
                     (dir.path() / "stdin.txt").string());
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 1) << r.err;  // unknown users: 404s
  std::map<std::size_t, std::string> by_index;
  for (const auto& record : read_result_records(out)) {
    EXPECT_TRUE(by_index.emplace(record["index"].get<std::size_t>(), record["item"].get<std::string>()).second) << record;
  }
  std::vector<std::string> got;
  for (const auto& entry : by_index) got.push_back(entry.second);
  EXPECT_EQ(got, expected);
  ASSERT_FALSE(by_index.empty());
  EXPECT_EQ(by_index.rbegin()->first + 1, expected.size()) << "indexes count after --dedupe, with no gap";
}

TEST_P(fetch_command, resume_after_sigkill_ends_with_exactly_one_record_per_item) {
  running_server server(0.5);  // profiles: 50-250 ms each: 300 items at -c 10 take about 4.5 s
  scratch_dir dir;
  std::string ids;
  for (int i = 0; i < 300; ++i) ids += std::to_string(1121 + i % 5) + "-" + std::to_string(i) + "\n";
  write_file(dir.path() / "ids.txt", ids);
  auto out = dir.path() / "out.jsonl";
  std::vector<std::string> args{"--url", profile_url(server), "-i", (dir.path() / "ids.txt").string(), "-o", out.string(),
                                "-c", "10", "--no-log", "-q"};

  // Killed as soon as some records are written (however slow a sanitizer build starts), long before all are.
  std::string command = "\"" + binary_path().string() + "\" fetch --transport " +
                        std::string(client::to_string(testing::current_transport()));
  for (const auto& a : args) command += " '" + a + "'";
  std::string script = command + " & pid=$!; for i in $(seq 400); do [ \"$(wc -l < '" + out.string() +
                       "' 2>/dev/null || echo 0)\" -ge 5 ] && break; sleep 0.05; done; kill -KILL $pid; wait $pid; echo \"exit=$?\"";
  auto first = run_process({"/bin/bash", "-c", script}, 60s);
  ASSERT_NE(first.out.find("exit=137"), std::string::npos) << "the first run should have been killed mid-way: " << first.out << first.err;
  auto partial = read_result_records(out);  // every complete line must parse
  EXPECT_GT(partial.size(), 0u);
  EXPECT_LT(partial.size(), 300u);

  args.push_back("--resume");
  auto second = run_fetch(args);
  EXPECT_EQ(second.exit_code, 1) << second.err;  // unknown users: 404s
  std::map<std::size_t, int> count;
  for (const auto& record : read_result_records(out)) ++count[record["index"]];
  ASSERT_EQ(count.size(), 300u);
  for (const auto& [index, n] : count) EXPECT_EQ(n, 1) << "index " << index;
}

TEST_P(fetch_command, memory_does_not_grow_with_the_input) {
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
  // ASan keeps freed memory in its quarantine (256 MB by default) and both grow shadow memory with
  // heap churn: reading back 1,000,000 records then measures the sanitizer, not serentak.
  GTEST_SKIP() << "the sanitizers' allocators grow with heap churn; peak RSS is measured in the dev build";
#endif
  scratch_dir dir;
  auto run_with = [&](std::size_t lines) {
    std::string input, done = "#{\"serentak_results\":1,\"spec\":{\"method\":\"GET\",\"url\":\"http://127.0.0.1:1/{}\","
                              "\"headers\":[],\"body_sha256\":\"\",\"theme\":\"fetch\"}}\n"
                              "index,item,url,outcome,status,attempts,latency_ms,error,data,http_version\n";
    input.reserve(lines * 8);
    done.reserve(lines * 48);
    for (std::size_t i = 0; i < lines; ++i) {
      std::string n = std::to_string(i);
      input += n + "\n";
      done += n + "," + n + ",http://127.0.0.1:1/" + n + ",ok,200,1,1.000,,,1.1\n";
    }
    auto in = dir.path() / ("in" + std::to_string(lines) + ".txt");
    auto out = dir.path() / ("out" + std::to_string(lines) + ".csv");
    write_file(in, input);
    write_file(out, done);  // every item already done: the run streams the input and sends nothing
    auto r = run_fetch(
        {"--url", "http://127.0.0.1:1/{}", "-i", in.string(), "-o", out.string(), "--resume", "--no-log", "-q"}, {},
        120s);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.max_rss_kb;
  };
  long small = run_with(10);
  long large = run_with(1'000'000);
  // The resume table costs 16 bytes per record, more while it grows and while the compaction lists
  // the offsets it keeps (measured: about 51 MB for 1,000,000 records, docs/cli.md); everything else
  // must stay flat, so the bound is 64 bytes per record.
  EXPECT_LT(large, small + 64 * 1000) << "peak RSS " << small << " KB for 10 lines, " << large << " KB for 1,000,000";
}

}  // namespace
}  // namespace serentak
