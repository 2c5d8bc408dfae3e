// Outputs that cannot destroy data (issue 14: 1, 2, 3, 8) and a resume that repairs (issue 15: 4),
// with the real binary against a scripted server on loopback, in temp dirs.
#include <atomic>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "support/file_text.hpp"
#include "support/process_runner.hpp"
#include "support/result_records.hpp"
#include "support/scripted_http_server.hpp"
#include "support/test_paths.hpp"

namespace serentak {
namespace {

using namespace std::chrono_literals;
using testing::binary_path;
using testing::run_process;
using testing::scratch_dir;
using testing::scripted_http_server;
using testing::scripted_reply;
using testing::scripted_request;

using testing::write_file;
using testing::read_file;
using testing::lines_of;

// The records of a JSONL results file (preamble skipped); every line must be whole JSON.
std::vector<nlohmann::json> records_of(const std::filesystem::path& path) {
  std::vector<nlohmann::json> records;
  std::string text = read_file(path);
  EXPECT_TRUE(text.empty() || text.back() == '\n') << "torn last line";
  auto lines = lines_of(text);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto j = nlohmann::json::parse(lines[i], nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "line " << i + 1 << ": " << lines[i];
    if (i == 0) {
      EXPECT_TRUE(j.contains("serentak_results")) << lines[i];
      continue;
    }
    if (!j.is_discarded()) records.push_back(j);
  }
  return records;
}

std::map<std::string, std::string> outcome_by_item(const std::vector<nlohmann::json>& records) {
  std::map<std::string, std::string> by_item;
  for (const auto& r : records) {
    EXPECT_EQ(by_item.count(r["item"]), 0u) << "two records for " << r["item"];
    by_item[r["item"]] = r["outcome"];
  }
  return by_item;
}

using testing::serentak;

std::string shell_quoted(const std::string& s) { return "'" + s + "'"; }

using testing::ok_json;

// The item a request asked for: "/p?id=<item>".
std::string item_of(const std::string& target) { return target.substr(target.find("id=") + 3); }

TEST(results_safety, an_output_that_is_an_input_or_the_other_output_is_refused_before_anything_is_written) {
  scripted_http_server server(ok_json);
  scratch_dir dir;
  const std::string url = server.url("/p?id={}");
  const std::string items = "a\nb\n";
  const std::string other = "--- earlier log ---\n";
  for (std::string link : {"symlink", "hardlink"}) {
    write_file(dir.path() / "in.txt", items);
    write_file(dir.path() / "other.jsonl", other);
    std::filesystem::remove(dir.path() / "alias.jsonl");
    std::filesystem::remove(dir.path() / "other_alias.log");
    if (link == "symlink") {
      std::filesystem::create_symlink("in.txt", dir.path() / "alias.jsonl");
      std::filesystem::create_symlink("other.jsonl", dir.path() / "other_alias.log");
    } else {
      std::filesystem::create_hard_link(dir.path() / "in.txt", dir.path() / "alias.jsonl");
      std::filesystem::create_hard_link(dir.path() / "other.jsonl", dir.path() / "other_alias.log");
    }
    struct refused {
      std::vector<std::string> args;
      std::string first, second;
    };
    const std::vector<refused> cases = {
        {{"fetch", "--url", url, "-i", "in.txt", "--log", "alias.jsonl"}, "--log 'alias.jsonl'", "--input 'in.txt'"},
        {{"fetch", "--url", url, "-i", "in.txt", "-o", "alias.jsonl", "--no-log"}, "--out 'alias.jsonl'", "--input 'in.txt'"},
        {{"fetch", "--url", url, "a", "-o", "other.jsonl", "--log", "other_alias.log"}, "--out 'other.jsonl'",
         "--log 'other_alias.log'"},
        {{"fetch", "--url", url, "-", "--log", "alias.jsonl"}, "--log 'alias.jsonl'", "standard input"},
    };
    for (const refused& c : cases) {
      std::vector<std::string> args = c.args;
      args.insert(args.begin(), binary_path().string());
      auto r = run_process(args, 30s, dir.path().string(), (dir.path() / "in.txt").string());
      EXPECT_EQ(r.exit_code, 2) << link << ": " << r.err;
      EXPECT_NE(r.err.find(c.first), std::string::npos) << link << ": " << r.err;
      EXPECT_NE(r.err.find(c.second), std::string::npos) << link << ": " << r.err;
      EXPECT_NE(r.err.find("same file"), std::string::npos) << r.err;
      EXPECT_EQ(read_file(dir.path() / "in.txt"), items) << link << ": the input was changed";
      EXPECT_EQ(read_file(dir.path() / "other.jsonl"), other) << link << ": an output was changed";
    }
  }
  // Two outputs that did not exist and are created as one (a dangling symlink to the other).
  std::filesystem::create_symlink("new.jsonl", dir.path() / "new_alias.log");
  auto r = serentak({"fetch", "--url", url, "a", "-o", "new.jsonl", "--log", "new_alias.log"}, dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("same file"), std::string::npos) << r.err;
  EXPECT_EQ(server.requests_seen(), 0u);
}

// Runs `first` in the background until its results file exists, then `second`; prints the first's
// pid and the second's exit status and stderr.
testing::process_result second_run_while_first_holds(const std::string& first, const std::string& second,
                                                     const std::filesystem::path& dir, const std::string& wait_for) {
  std::string script = "rm -f out.jsonl out.csv run.log; " + first + " >/dev/null 2>&1 & pid=$!; for i in $(seq 400); do [ -s " + wait_for +
                       " ] && break; sleep 0.025; done; " + second + " 2>err.txt; echo \"pid=$pid exit=$?\"; kill $pid; wait $pid";
  return run_process({"/bin/bash", "-c", script}, 60s, dir.string());
}

TEST(results_safety, a_second_run_on_the_same_results_file_or_log_is_refused_naming_the_holders_pid) {
  std::atomic<bool> release{false};
  scripted_http_server server([&](const scripted_request&) {
    for (int i = 0; i < 400 && !release.load(); ++i) std::this_thread::sleep_for(25ms);  // holds the first run
    return scripted_reply::respond(200, "{}");
  });
  scratch_dir dir;
  const std::string bin = shell_quoted(binary_path().string());
  const std::string url = shell_quoted(server.url("/p?id={}"));
  const std::string first = bin + " fetch --url " + url + " a -o out.jsonl --log run.log -q";
  struct second_run {
    std::string command, names;
  };
  for (const second_run& second : {second_run{bin + " fetch --url " + url + " b -o out.jsonl --no-log -q", "out.jsonl"},
                                   second_run{bin + " fetch --url " + url + " b --log run.log -q", "run.log"}}) {
    auto r = second_run_while_first_holds(first, second.command, dir.path(), "out.jsonl");
    ASSERT_FALSE(r.timed_out);
    std::string pid = r.out.substr(r.out.find("pid=") + 4, r.out.find(' ', r.out.find("pid=")) - r.out.find("pid=") - 4);
    std::string err = read_file(dir.path() / "err.txt");
    EXPECT_NE(r.out.find("exit=2"), std::string::npos) << r.out << err;
    EXPECT_NE(err.find("'" + second.names + "' is in use by another serentak run (pid " + pid + ")"), std::string::npos)
        << "first run pid " << pid << ": " << err;
  }
  // A CSV results file is held the same way.
  auto csv = second_run_while_first_holds(bin + " fetch --url " + url + " c -o out.csv --no-log -q",
                                          bin + " fetch --url " + url + " d -o out.csv --no-log -q", dir.path(), "out.csv");
  ASSERT_FALSE(csv.timed_out);
  EXPECT_NE(csv.out.find("exit=2"), std::string::npos) << csv.out;
  EXPECT_NE(read_file(dir.path() / "err.txt").find("'out.csv' is in use by another serentak run (pid "), std::string::npos)
      << read_file(dir.path() / "err.txt");
  release = true;
  EXPECT_EQ(server.requests_seen(), 3u) << "only the first runs' items were sent";
}

TEST(results_safety, a_write_cut_short_by_the_file_size_limit_leaves_only_whole_records_and_exits_3) {
  scripted_http_server server([](const scripted_request& request) {
    return scripted_reply::respond(200, "{\"item\":\"" + item_of(request.target) + "\",\"pad\":\"" + std::string(300, 'x') + "\"}");
  });
  scratch_dir dir;
  std::string ids;
  for (int i = 0; i < 40; ++i) ids += "id" + std::to_string(i) + "\n";
  write_file(dir.path() / "ids.txt", ids);
  for (std::string out : {"out.jsonl", "out.csv"}) {
    // ulimit -f counts 1024-byte blocks: the file may not pass 4 KiB. serentak ignores SIGXFSZ itself
    // (its default kills the process), so the kernel answers the write that crosses the limit short,
    // then EFBIG: a real failure, mid-record.
    std::string script = "ulimit -f 4; exec " + shell_quoted(binary_path().string()) + " fetch --url " +
                         shell_quoted(server.url("/p?id={}")) + " -i ids.txt -o " + out + " --no-log -q -c 1";
    auto r = run_process({"/bin/bash", "-c", script}, 60s, dir.path().string());
    ASSERT_FALSE(r.timed_out);
    EXPECT_EQ(r.exit_code, 3) << out << ": " << r.err;
    EXPECT_NE(r.err.find("writing the results failed"), std::string::npos) << r.err;
    std::string text = read_file(dir.path() / out);
    EXPECT_LE(text.size(), 4096u);
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(text.back(), '\n') << out << " ends with a torn record";
    auto lines = lines_of(text);
    for (std::size_t i = out == "out.csv" ? 2 : 1; i < lines.size(); ++i) {
      if (out == "out.csv") {
        // The data column, then http_version: a whole record ends with both.
        EXPECT_TRUE(lines[i].ends_with("}\",1.1") || lines[i].ends_with("},1.1")) << "line " << i + 1 << ": " << lines[i];
      } else {
        EXPECT_FALSE(nlohmann::json::parse(lines[i], nullptr, false).is_discarded()) << "line " << i + 1 << ": " << lines[i];
      }
    }
    EXPECT_LT(lines.size(), 41u);
    // And a --resume (no limit now) completes it: every item once.
    auto resumed = serentak({"fetch", "--url", server.url("/p?id={}"), "-i", "ids.txt", "-o", out, "--no-log", "-q", "--resume"},
                            dir.path());
    EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
    EXPECT_EQ(lines_of(read_file(dir.path() / out)).size(), 40u + (out == "out.csv" ? 2 : 1));
  }
}

TEST(results_safety, a_log_write_cut_short_by_the_file_size_limit_leaves_only_whole_lines_and_exits_3) {
  scripted_http_server server([](const scripted_request&) { return scripted_reply::respond(500, "{}"); });
  scratch_dir dir;
  std::string ids;
  for (int i = 0; i < 200; ++i) ids += "item-with-a-longer-name-" + std::to_string(i) + "\n";
  write_file(dir.path() / "ids.txt", ids);
  // Each failure is a log line of about 100 bytes: 200 of them cross the 4 KiB limit mid-line.
  std::string script = "ulimit -f 4; exec " + shell_quoted(binary_path().string()) + " fetch --url " +
                       shell_quoted(server.url("/p?id={}")) + " -i ids.txt --log run.log -q -c 1";
  auto r = run_process({"/bin/bash", "-c", script}, 60s, dir.path().string());
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("writing the log failed"), std::string::npos) << r.err;
  std::string text = read_file(dir.path() / "run.log");
  ASSERT_FALSE(text.empty());
  EXPECT_LE(text.size(), 4096u);
  EXPECT_EQ(text.back(), '\n') << "the log ends with a torn line";
  auto lines = lines_of(text);
  EXPECT_LT(lines.size(), 200u) << "the limit was never reached";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    // The opening line, then "[timestamp] [who] message" lines, each whole.
    const bool whole = i == 0 ? lines[i].starts_with("--- Fetch Log Started: ") && lines[i].ends_with(" ---")
                              : lines[i].starts_with("[") && lines[i].find("] [") != std::string::npos;
    EXPECT_TRUE(whole) << "line " << i + 1 << ": " << lines[i];
  }
}

TEST(results_safety, resume_refetches_a_damaged_middle_record_and_refuses_what_is_not_a_results_file) {
  scripted_http_server server(ok_json);
  scratch_dir dir;
  const std::string url = server.url("/p?id={}");
  auto r = serentak({"fetch", "--url", url, "a", "b", "c", "d", "-o", "out.jsonl", "--no-log", "-c", "1"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = lines_of(read_file(dir.path() / "out.jsonl"));
  ASSERT_EQ(lines.size(), 5u);
  std::string damaged_item = nlohmann::json::parse(lines[2])["item"];
  lines[2] = lines[2].substr(0, lines[2].size() / 2);  // a record cut in the middle, followed by others
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  write_file(dir.path() / "out.jsonl", text);
  r = serentak({"fetch", "--url", url, "a", "b", "c", "d", "-o", "out.jsonl", "--no-log", "--resume"}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(server.requests_seen(), 5u);
  EXPECT_EQ(item_of(server.targets().back()), damaged_item);
  auto by_item = outcome_by_item(records_of(dir.path() / "out.jsonl"));
  EXPECT_EQ(by_item, (std::map<std::string, std::string>{{"a", "ok"}, {"b", "ok"}, {"c", "ok"}, {"d", "ok"}}));

  // Not a results file (nor one without the serentak preamble): refused, left as it is, nothing sent.
  for (std::string foreign : {std::string("hello\nworld\n"), std::string("{\"index\":0,\"item\":\"a\",\"outcome\":\"ok\"}\n"),
                              std::string("no newline at all")}) {
    write_file(dir.path() / "foreign.jsonl", foreign);
    r = serentak({"fetch", "--url", url, "a", "-o", "foreign.jsonl", "--no-log", "--resume"}, dir.path());
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("is not a serentak results file"), std::string::npos) << r.err;
    EXPECT_EQ(read_file(dir.path() / "foreign.jsonl"), foreign);
  }
  // A FIFO: exit 2 at once (not a hang on a reader).
  ASSERT_EQ(::mkfifo((dir.path() / "fifo.jsonl").c_str(), 0600), 0);
  r = serentak({"fetch", "--url", url, "a", "-o", "fifo.jsonl", "--no-log", "--resume"}, dir.path());
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("needs a regular results file"), std::string::npos) << r.err;
  EXPECT_EQ(server.requests_seen(), 5u);
}

TEST(results_safety, an_input_that_grows_after_the_check_is_read_only_as_far_as_it_was_checked) {
  std::atomic<bool> grown{false};
  scripted_http_server server([&](const scripted_request&) {
    for (int i = 0; i < 400 && !grown.load(); ++i) std::this_thread::sleep_for(25ms);
    return scripted_reply::respond(200, "{}");
  });
  scratch_dir dir;
  write_file(dir.path() / "in.txt", "a\nb\nc\n");
  testing::process_result r;
  std::thread run([&] {
    r = serentak({"fetch", "--url", server.url("/p?id={}"), "-i", "in.txt", "-o", "out.jsonl", "--no-log", "-q", "-c", "1"},
                 dir.path());
  });
  for (int i = 0; i < 400 && server.requests_seen() == 0; ++i) std::this_thread::sleep_for(25ms);
  {
    std::ofstream more(dir.path() / "in.txt", std::ios::app);
    more << "late1\nlate2\n";
  }
  grown = true;
  run.join();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> sent;
  for (const auto& target : server.targets()) sent.insert(item_of(target));
  EXPECT_EQ(sent, (std::set<std::string>{"a", "b", "c"})) << "items added after the check were fetched";
  EXPECT_NE(r.err.find("input 'in.txt' grew or changed after it was checked; only the 3 items checked were read"),
            std::string::npos)
      << r.err;
}

TEST(results_safety, an_input_that_shrinks_after_the_check_says_how_many_items_were_lost_and_is_not_exit_0) {
  std::atomic<bool> shrunk{false};
  scripted_http_server server([&](const scripted_request&) {
    for (int i = 0; i < 400 && !shrunk.load(); ++i) std::this_thread::sleep_for(25ms);
    return scripted_reply::respond(200, "{}");
  });
  scratch_dir dir;
  // Larger than one read of the input (64 KiB), so most of it is still unread when it is emptied.
  constexpr int checked = 20000;
  std::string ids;
  for (int i = 0; i < checked; ++i) ids += fmt::format("i-{:05}\n", i);
  write_file(dir.path() / "in.txt", ids);
  testing::process_result r;
  std::thread run([&] {
    r = serentak({"fetch", "--url", server.url("/p?id={}"), "-i", "in.txt", "-o", "out.jsonl", "--no-log", "-q", "-c", "1"},
                 dir.path());
  });
  for (int i = 0; i < 400 && server.requests_seen() == 0; ++i) std::this_thread::sleep_for(25ms);
  ASSERT_EQ(::truncate((dir.path() / "in.txt").c_str(), 0), 0);
  shrunk = true;
  run.join();
  const std::size_t fetched = server.requests_seen();
  EXPECT_GT(fetched, 0u);
  EXPECT_LT(fetched, static_cast<std::size_t>(checked));
  EXPECT_EQ(r.exit_code, 1) << "items that were never fetched cannot end as a success: " << r.err;
  EXPECT_NE(r.err.find(fmt::format("input 'in.txt' shrank after it was checked: {} of its {} items were read, the other {} "
                                   "were not fetched",
                                   fetched, checked, checked - fetched)),
            std::string::npos)
      << r.err;
  EXPECT_EQ(testing::read_result_records(dir.path() / "out.jsonl").size(), fetched) << "one record per item read";
}

TEST(results_safety, after_an_outage_resume_fetches_the_failures_again_and_ends_with_one_ok_record_per_item) {
  std::atomic<bool> down{true};
  scripted_http_server server([&](const scripted_request&) {
    return down ? scripted_reply::reset_connection() : scripted_reply::respond(200, "{}");
  });
  scratch_dir dir;
  std::string ids;
  for (int i = 0; i < 10; ++i) ids += "id" + std::to_string(i) + "\n";
  write_file(dir.path() / "ids.txt", ids);
  std::vector<std::string> args{"fetch", "--url", server.url("/p?id={}"), "-i", "ids.txt", "-o", "out.jsonl", "--log", "run.log"};
  auto r = serentak(args, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  for (const auto& [item, outcome] : outcome_by_item(records_of(dir.path() / "out.jsonl"))) EXPECT_EQ(outcome, "connection_error");
  std::string first_log = read_file(dir.path() / "run.log");

  // --resume=missing keeps the old rule: every item has a record, nothing is sent.
  std::size_t before = server.requests_seen();
  auto missing = args;
  missing.push_back("--resume=missing");
  r = serentak(missing, dir.path());
  EXPECT_EQ(server.requests_seen(), before);
  EXPECT_EQ(r.exit_code, 1) << "the whole file still holds failures";

  down = false;
  args.insert(args.end(), {"--resume", "--summary", "json"});
  r = serentak(args, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(server.requests_seen(), before + 10);
  auto by_item = outcome_by_item(records_of(dir.path() / "out.jsonl"));
  ASSERT_EQ(by_item.size(), 10u);
  for (const auto& [item, outcome] : by_item) EXPECT_EQ(outcome, "ok") << item;
  auto summary = nlohmann::json::parse(r.out.substr(r.out.rfind('\n', r.out.size() - 2) + 1));
  EXPECT_EQ(summary["items"], 10);
  EXPECT_EQ(summary["outcomes"]["ok"], 10);
  EXPECT_EQ(summary["this_run"]["refetched"], 10);
  std::string log = read_file(dir.path() / "run.log");
  EXPECT_TRUE(log.starts_with(first_log)) << "the log of the first run was lost";
  EXPECT_NE(log.find(" Resumed: "), std::string::npos);
}

TEST(results_safety, resume_matches_records_by_item_and_url_so_an_edited_or_reordered_input_fetches_the_right_items) {
  scripted_http_server server(ok_json);
  scratch_dir dir;
  const std::string url = server.url("/p?id={}");
  auto r = serentak({"fetch", "--url", url, "a", "b", "-o", "out.jsonl", "--no-log"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Reordered and extended: b and a are done, c is new (by position, c would be skipped and a fetched).
  r = serentak({"fetch", "--url", url, "b", "c", "a", "-o", "out.jsonl", "--no-log", "--resume"}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(server.requests_seen(), 3u);
  EXPECT_EQ(item_of(server.targets()[2]), "c");
  // Edited: b replaced by x.
  r = serentak({"fetch", "--url", url, "a", "x", "c", "-o", "out.jsonl", "--no-log", "--resume"}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(server.requests_seen(), 4u);
  EXPECT_EQ(item_of(server.targets()[3]), "x");
  EXPECT_EQ(outcome_by_item(records_of(dir.path() / "out.jsonl")).size(), 4u);  // a, b, c, x: one each
}

TEST(results_safety, resume_with_another_request_spec_is_refused_unless_forced) {
  scripted_http_server server(ok_json);
  scratch_dir dir;
  auto r = serentak({"fetch", "--url", server.url("/p?id={}"), "a", "-o", "out.csv", "--no-log"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string before = read_file(dir.path() / "out.csv");
  r = serentak({"fetch", "--url", server.url("/q?id={}"), "a", "-o", "out.csv", "--no-log", "--resume"}, dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("URL '" + server.url("/p?id={}") + "' (this run: '" + server.url("/q?id={}") + "')"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--force"), std::string::npos) << r.err;
  EXPECT_EQ(read_file(dir.path() / "out.csv"), before);
  r = serentak({"fetch", "--url", server.url("/q?id={}"), "a", "-o", "out.csv", "--no-log", "--resume", "--force"}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(server.requests_seen(), 2u) << "another URL is another record";
  auto lines = lines_of(read_file(dir.path() / "out.csv"));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_NE(lines[0].find(server.url("/q?id={}")), std::string::npos) << "the preamble names the spec now in force";
  // The CSV stays readable by python's csv module once its first line is skipped.
  auto py = run_process({"/usr/bin/env", "python3", "-c",
                         "import csv,sys\nf=open(sys.argv[1],newline='')\nnext(f)\nrows=list(csv.DictReader(f))\n"
                         "print(len(rows), sorted(r['outcome'] for r in rows), sorted(r['item'] for r in rows))",
                         (dir.path() / "out.csv").string()},
                        30s);
  EXPECT_EQ(py.exit_code, 0) << py.err;
  EXPECT_EQ(py.out, "2 ['ok', 'ok'] ['a', 'a']\n");
}

TEST(results_safety, resume_compares_method_header_names_and_body_and_refuses_secret_items) {
  scripted_http_server server(ok_json);
  scratch_dir dir;
  const std::string url = server.url("/p?id={}");
  auto r = serentak({"fetch", "--url", url, "a", "-o", "out.jsonl", "--no-log", "-H", "X-Trace: 1", "--json",
                     "{\"id\":\"{}\"}"},
                    dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string before = read_file(dir.path() / "out.jsonl");
  EXPECT_NE(before.find("\"method\":\"POST\""), std::string::npos) << before;
  EXPECT_NE(before.find("\"headers\":[\"X-Trace\"]"), std::string::npos) << before;
  EXPECT_EQ(before.find("X-Trace: 1"), std::string::npos) << "names only, never values: " << before;
  const std::vector<std::pair<std::vector<std::string>, std::string>> others{
      {{"-H", "X-Trace: 1", "--json", "{\"id\":\"{}\"}", "-X", "PUT"}, "method 'POST' (this run: 'PUT')"},
      {{"--json", "{\"id\":\"{}\"}"}, "header names 'X-Trace' (this run: '')"},
      {{"-H", "X-Trace: 1", "--json", "{\"user\":\"{}\"}"}, "body SHA-256"},
      {{"-H", "X-Trace: 1", "-d", "{\"id\":\"{}\"}"}, "body SHA-256"},
  };
  for (const auto& [options, difference] : others) {
    std::vector<std::string> args{"fetch", "--url", url, "a", "-o", "out.jsonl", "--no-log", "--resume"};
    args.insert(args.end(), options.begin(), options.end());
    r = serentak(args, dir.path());
    EXPECT_EQ(r.exit_code, 2) << difference << ": " << r.err;
    EXPECT_NE(r.err.find(difference), std::string::npos) << r.err;
    EXPECT_EQ(read_file(dir.path() / "out.jsonl"), before);
  }
  // Secret items are recorded as "***": a resume could match none of them, so it is refused.
  r = serentak({"fetch", "--url", url, "tok1", "-o", "secret.jsonl", "--no-log", "--resume", "-H",
                "Authorization: Bearer {}"},
               dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--resume cannot match records whose items are secrets"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("tok1"), std::string::npos) << r.err;
  EXPECT_EQ(server.requests_seen(), 1u) << "nothing sent by the refused runs";
}

// Starts argv in dir (stdout and stderr to /dev/null) and returns its pid.
pid_t spawn_in(const std::vector<std::string>& argv, const std::filesystem::path& dir) {
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::chdir(dir.c_str()) != 0) ::_exit(127);
    int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(null, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

TEST(results_safety, sigkill_during_compaction_leaves_a_file_that_a_further_resume_completes) {
  std::atomic<bool> failing{true};
  const std::string pad(2000, 'x');
  scripted_http_server server([&](const scripted_request&) {
    return scripted_reply::respond(failing ? 503 : 200, "{\"pad\":\"" + pad + "\"}");
  });
  scratch_dir dir;
  std::string ids;
  const int items = 400;
  for (int i = 0; i < items; ++i) ids += "id" + std::to_string(i) + "\n";
  write_file(dir.path() / "ids.txt", ids);
  std::vector<std::string> args{binary_path().string(), "fetch", "--url", server.url("/p?id={}"), "-i", "ids.txt",
                                "-o", "out.jsonl", "--no-log", "-q"};
  auto r = run_process(args, 120s, dir.path().string());
  ASSERT_EQ(r.exit_code, 1) << r.err;  // every item a 503: every record superseded by the resume
  failing = false;
  args.push_back("--resume");
  const auto temp = dir.path() / "out.jsonl.serentak-compact";
  int killed_in_compaction = 0;
  for (int round = 0; round < 5; ++round) {
    // A damaged line makes every round compact. The run is killed a varying time after the
    // compaction's temporary file appears (polled without pause, so even a short compaction is hit).
    { std::ofstream(dir.path() / "out.jsonl", std::ios::app) << "damaged\n"; }
    std::filesystem::remove(temp);
    pid_t pid = spawn_in(args, dir.path());
    ASSERT_GT(pid, 0);
    int status = 0;
    bool exited = false;
    auto deadline = std::chrono::steady_clock::now() + 60s;
    while (!std::filesystem::exists(temp) && std::chrono::steady_clock::now() < deadline) {
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        exited = true;
        break;
      }
    }
    if (!exited) {
      std::this_thread::sleep_for(std::chrono::microseconds(round * 400));
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      if (WIFSIGNALED(status) && std::filesystem::exists(temp)) ++killed_in_compaction;  // before the rename
    }
    // Whatever the moment: whole lines, every item present.
    std::set<std::string> present;
    std::string text = read_file(dir.path() / "out.jsonl");
    ASSERT_TRUE(text.ends_with("\n"));
    for (const auto& line : lines_of(text)) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (line != "damaged") {
        ASSERT_FALSE(j.is_discarded()) << "round " << round << ": " << line.substr(0, 80);
      }
      if (!j.is_discarded() && j.contains("item")) present.insert(j["item"]);
    }
    EXPECT_EQ(present.size(), static_cast<std::size_t>(items)) << "round " << round;
  }
  EXPECT_GT(killed_in_compaction, 0) << "no kill landed during a compaction: the test proved nothing";
  r = run_process(args, 120s, dir.path().string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto by_item = outcome_by_item(records_of(dir.path() / "out.jsonl"));
  ASSERT_EQ(by_item.size(), static_cast<std::size_t>(items));
  for (const auto& [item, outcome] : by_item) EXPECT_EQ(outcome, "ok") << item;
  EXPECT_FALSE(std::filesystem::exists(temp));
}

}  // namespace
}  // namespace serentak
