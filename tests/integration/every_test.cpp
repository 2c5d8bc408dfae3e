// --every DURATION (issue 16, points 1 and 2): the real `serentak` binary against the real mock
// server, repeating its run on a fixed-rate schedule. The schedule is read back from the event
// log's timestamps and round markers; tolerances are generous (a shared 2-core machine), but a
// round that starts early, drifts by the rounds' own duration, or overlaps another fails.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/process_runner.hpp"
#include "support/running_server.hpp"
#include "support/test_paths.hpp"

namespace serentak {
namespace {

using namespace std::chrono_literals;
using testing::binary_path;
using testing::run_process;
using testing::running_server;
using testing::scratch_dir;

using testing::serentak;

struct log_line {
  double at = 0;  // seconds since midnight, from the line's timestamp
  std::string name;
  std::string message;
};

std::vector<log_line> read_log_lines(const std::filesystem::path& path, std::string* header = nullptr) {
  static const std::regex shape(R"(^\[\d{4}-\d{2}-\d{2} (\d{2}):(\d{2}):(\d{2}\.\d{6})\] \[([^\]]+)\] (.*)$)");
  std::ifstream in(path);
  std::vector<log_line> lines;
  std::string first;
  std::getline(in, first);
  if (header != nullptr) *header = first;
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    EXPECT_TRUE(std::regex_match(line, m, shape)) << "malformed log line: " << line;
    if (m.empty()) continue;
    double at = std::stod(m[1]) * 3600 + std::stod(m[2]) * 60 + std::stod(m[3]);
    lines.push_back({at, m[4], m[5]});
  }
  return lines;
}

// The round markers: round number -> (timestamp, the "due at +S s" the loop logged).
struct round_start {
  double at = 0;
  double due_s = 0;
  std::size_t line = 0;  // position in the log
};

std::map<int, round_start> round_starts(const std::vector<log_line>& lines) {
  static const std::regex marker(R"(^Round (\d+) started \(due at \+(\d+\.\d{3}) s, (\d+\.\d) ms late\)$)");
  std::map<int, round_start> starts;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::smatch m;
    if (lines[i].name == "MainClient" && std::regex_match(lines[i].message, m, marker)) {
      double at = lines[i].at;
      if (!starts.empty() && at < starts.begin()->second.at) at += 86400;  // the run crossed midnight
      starts[std::stoi(m[1])] = {at, std::stod(m[2]), i};
    }
  }
  return starts;
}

std::vector<nlohmann::json> json_lines(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.front() == '{') out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

// additionalProperties is false in both schemas: a field they do not name breaks their readers.
void expect_schema_names_every_field(const nlohmann::json& value, const std::string& schema_name) {
  std::ifstream in(testing::source_dir() / "docs" / "schema" / schema_name);
  auto schema = nlohmann::json::parse(in);
  for (const auto& [key, field] : value.items()) {
    EXPECT_TRUE(schema["properties"].contains(key)) << schema_name << " does not name '" << key << "'";
  }
}

TEST(every, three_rounds_keep_a_fixed_rate_and_append_every_round_to_one_log_and_one_results_file) {
  running_server server(0.0);
  scratch_dir dir;
  auto log = dir.path() / "every.log";
  auto out = dir.path() / "out.jsonl";
  auto r = serentak({"fetch", "--url", server.base_url() + "/get_user_profile?user_id={}", "1121", "1122", "--lang", "en",
                     "--every", "300ms", "--rounds", "3", "--log", log.string(), "-o", out.string(), "--summary", "json"});
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0) << r.err;

  std::string header;
  std::vector<log_line> lines = read_log_lines(log, &header);
  EXPECT_TRUE(header.starts_with("--- ")) << "the log is truncated once, at the start, and keeps its header: " << header;
  auto starts = round_starts(lines);
  ASSERT_EQ(starts.size(), 3u) << r.err;
  const double interval = 0.300;
  const double epsilon = 0.020;  // wall clock (the log) against the steady clock (the schedule)
  for (int k = 1; k <= 3; ++k) {
    EXPECT_NEAR(starts[k].due_s, (k - 1) * interval, 1e-9) << "round " << k << " is due at start + (k-1) x interval";
    double since_first = starts[k].at - starts[1].at;
    EXPECT_GE(since_first, (k - 1) * interval - epsilon) << "round " << k << " started early";
    EXPECT_LE(since_first, (k - 1) * interval + 0.250) << "round " << k << " drifted";
  }
  // Every round: its marker, the seed's start line, one line per item, its end line; nothing reopened.
  std::size_t started_lines = 0;
  std::size_t finished_lines = 0;
  for (const log_line& line : lines) {
    if (line.message.starts_with("Starting 2 concurrent requests")) ++started_lines;
    if (line.message.starts_with("All requests finished in")) ++finished_lines;
  }
  EXPECT_EQ(started_lines, 3u);
  EXPECT_EQ(finished_lines, 3u);
  EXPECT_EQ(lines.back().message, "Done: 3 rounds, 0 ticks skipped");

  // One preamble, then every round's records, each with its round.
  std::ifstream in(out);
  std::string first;
  std::getline(in, first);
  EXPECT_TRUE(nlohmann::json::parse(first).contains("serentak_results")) << first;
  std::map<int, int> records_by_round;
  for (std::string line; std::getline(in, line);) {
    auto record = nlohmann::json::parse(line);
    ASSERT_FALSE(record.contains("serentak_results")) << "the results file was started again: " << line;
    ASSERT_TRUE(record.contains("round")) << line;
    EXPECT_EQ(record["outcome"], "ok") << line;
    expect_schema_names_every_field(record, "record.schema.json");
    ++records_by_round[record["round"].get<int>()];
  }
  EXPECT_EQ(records_by_round, (std::map<int, int>{{1, 2}, {2, 2}, {3, 2}}));

  // --summary json: one object per round, one line each.
  auto summaries = json_lines(r.out);
  ASSERT_EQ(summaries.size(), 3u) << r.out;
  for (int k = 0; k < 3; ++k) {
    EXPECT_EQ(summaries[k]["round"], k + 1);
    EXPECT_EQ(summaries[k]["skipped_ticks"], 0);
    EXPECT_EQ(summaries[k]["items"], 2);
    expect_schema_names_every_field(summaries[k], "summary.schema.json");
  }
  EXPECT_NE(r.err.find("serentak fetch: 3 rounds every 300ms, 0 ticks skipped"), std::string::npos) << r.err;
}

TEST(every, a_round_longer_than_the_interval_skips_ticks_says_so_once_and_never_overlaps) {
  running_server server(0.25);  // /status/slow answers after 0.5-0.75 s
  scratch_dir dir;
  auto log = dir.path() / "health.log";
  auto r = serentak({"health", "--base", server.base_url(), "/status/slow", "--lang", "en", "--every", "200ms",
                     "--rounds", "3", "--log", log.string(), "--summary", "json"});
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0) << r.err;

  std::vector<log_line> lines = read_log_lines(log);
  auto starts = round_starts(lines);
  ASSERT_EQ(starts.size(), 3u) << r.err;
  for (int k = 2; k <= 3; ++k) {
    // It starts only once the round before has finished: the finished line comes before its marker.
    bool finished_before = false;
    for (std::size_t i = starts[k - 1].line; i < starts[k].line; ++i) {
      if (lines[i].name == "MainClient" && lines[i].message.starts_with("All URL checks finished in")) finished_before = true;
    }
    EXPECT_TRUE(finished_before) << "round " << k << " overlapped round " << k - 1;
    // On a tick of the schedule, later than the next one: ticks were skipped.
    double ticks = starts[k].due_s / 0.2;
    EXPECT_NEAR(ticks, std::round(ticks), 1e-6) << "round " << k << " did not start on a tick";
    EXPECT_GE(starts[k].due_s - starts[k - 1].due_s, 0.4 - 1e-9) << "round " << k << " should have skipped a tick";
    EXPECT_GE(starts[k].at - starts[1].at, starts[k].due_s - 0.020) << "round " << k << " started before its tick";
  }
  std::size_t skip_lines = 0;
  for (const log_line& line : lines) {
    if (line.message.find("tick(s) of the schedule: skipped, never overlapped") != std::string::npos) ++skip_lines;
  }
  EXPECT_EQ(skip_lines, 2u) << "each of the first two rounds ran past ticks";

  auto summaries = json_lines(r.out);
  ASSERT_EQ(summaries.size(), 3u) << r.out;
  EXPECT_GT(summaries[0]["skipped_ticks"].get<int>(), 0);
  EXPECT_GT(summaries[1]["skipped_ticks"].get<int>(), summaries[0]["skipped_ticks"].get<int>());
  EXPECT_EQ(summaries[2]["skipped_ticks"], summaries[1]["skipped_ticks"]) << "the last round waits for no tick";
  std::size_t said = 0;
  for (auto at = r.err.find("longer than --every 200ms"); at != std::string::npos; at = r.err.find("longer than --every", at + 1)) {
    ++said;
  }
  EXPECT_EQ(said, 1u) << "once per streak of skipping rounds: " << r.err;
}

TEST(every, a_stop_signal_while_waiting_for_the_next_round_exits_at_once_with_its_status) {
  running_server server(0.0);
  for (auto [sig_name, status] : {std::pair{"TERM", 143}, std::pair{"INT", 130}, std::pair{"HUP", 129}}) {
    scratch_dir dir;
    auto log = dir.path() / "every.log";
    std::string script = "\"" + binary_path().string() + "\" fetch --url '" + server.base_url() +
                         "/get_user_profile?user_id={}' 1121 --lang en --every 10s -q --log '" + log.string() +
                         "' & pid=$!; " + testing::shell_wait_until_watching + "sleep 0.8; t=$(date +%s%N); kill -" +
                         sig_name + " $pid; wait $pid; echo \"exit=$? ms=$(( ($(date +%s%N) - t) / 1000000 ))\"";
    auto r = run_process({"/bin/bash", "-c", script}, 30s);
    ASSERT_FALSE(r.timed_out) << r.out << r.err;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(r.out, m, std::regex(R"(exit=(\d+) ms=(\d+))"))) << r.out << r.err;
    EXPECT_EQ(std::stoi(m[1]), status) << sig_name << ": " << r.err;
    EXPECT_LT(std::stoi(m[2]), 1000) << sig_name << ": it waited for the next round instead of exiting";
    std::vector<log_line> lines = read_log_lines(log);
    EXPECT_EQ(round_starts(lines).size(), 1u);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines.back().message, "Done: 1 rounds, 0 ticks skipped");
  }
}

TEST(every, a_stop_during_a_round_ends_that_round_as_a_single_run_does_and_the_loop) {
  running_server server(1.0);  // /status/slow: 2-3 s, in flight at the signal
  scratch_dir dir;
  auto log = dir.path() / "health.log";
  std::string script = "\"" + binary_path().string() + "\" health --base '" + server.base_url() +
                       "' /status/slow --lang en --every 10s -q --summary json --log '" + log.string() +
                       "' & pid=$!; " + testing::shell_wait_until_watching +
                       "sleep 0.5; kill -TERM $pid; wait $pid; echo \"exit=$?\"";
  auto r = run_process({"/bin/bash", "-c", script}, 30s);
  ASSERT_FALSE(r.timed_out) << r.out << r.err;
  EXPECT_NE(r.out.find("exit=143"), std::string::npos) << r.out << r.err;
  EXPECT_NE(r.out.find("\"round\":1"), std::string::npos) << "the round's summary is printed: " << r.out;
  std::vector<log_line> lines = read_log_lines(log);
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines.back().message, "Done: 1 rounds, 0 ticks skipped");
  EXPECT_TRUE(lines[lines.size() - 2].message.starts_with("All URL checks finished in"))
      << "the round's closing line: " << lines[lines.size() - 2].message;
}

TEST(every, bad_values_exit_2_with_one_line_before_anything_is_opened_or_sent) {
  scratch_dir dir;
  auto log = dir.path() / "never.log";
  const std::vector<std::vector<std::string>> cases = {
      {"--every", "0"},         {"--every", "50ms"},      {"--every", "abc"},          {"--every", "-1s"},
      {"--every", "99ms"},      {"--every", "1000h"},     {"--rounds", "2"},           {"--every", "1s", "--rounds", "0"},
      {"--every", "1s", "--resume", "-o", (dir.path() / "r.jsonl").string()},
  };
  for (const auto& extra : cases) {
    std::vector<std::string> args = {"pizza", "--base", "http://127.0.0.1:9", "--log", log.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = serentak(args, 10s);
    std::string shown = extra[0] + " " + extra[1];
    EXPECT_EQ(r.exit_code, 2) << shown << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << shown << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << shown << ": " << r.out;
    EXPECT_FALSE(std::filesystem::exists(log)) << shown << ": the log was opened";
  }
}

TEST(every, csv_results_of_every_round_carry_a_round_column_after_the_others) {
  running_server server(0.0);
  scratch_dir dir;
  auto out = dir.path() / "out.csv";
  auto r = serentak({"profiles", "--base", server.base_url(), "1121", "--every", "100ms", "--rounds", "2", "--no-log", "-o",
                     out.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(out);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[1], "index,item,url,outcome,status,attempts,latency_ms,error,data,http_version,round");
  EXPECT_TRUE(lines[2].starts_with("0,1121,") && lines[2].ends_with(",1.1,1")) << lines[2];
  EXPECT_TRUE(lines[3].starts_with("0,1121,") && lines[3].ends_with(",1.1,2")) << lines[3];
  // --resume of such a file is refused whole (its header is not a single run's), never half-read.
  auto resumed = serentak({"profiles", "--base", server.base_url(), "1121", "--no-log", "-o", out.string(), "--resume"});
  EXPECT_EQ(resumed.exit_code, 2) << resumed.err;
}

TEST(every, resume_of_a_jsonl_file_written_by_every_is_refused_and_leaves_every_round) {
  running_server server(0.0);
  scratch_dir dir;
  auto out = dir.path() / "out.jsonl";
  auto r = serentak({"profiles", "--base", server.base_url(), "1121", "--every", "100ms", "--rounds", "2", "--no-log", "-o",
                     out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(out);
  std::string before((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Compacting would keep one record per item: the history of the rounds would be lost.
  auto resumed = serentak({"profiles", "--base", server.base_url(), "1121", "--no-log", "-o", out.string(), "--resume"});
  EXPECT_EQ(resumed.exit_code, 2) << resumed.err;
  EXPECT_NE(resumed.err.find("written by --every"), std::string::npos) << resumed.err;
  std::ifstream again(out);
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(again)), std::istreambuf_iterator<char>()), before);
}

TEST(every, without_every_records_and_output_are_a_single_runs) {
  running_server server(0.0);
  scratch_dir dir;
  auto out = dir.path() / "out.jsonl";
  auto log = dir.path() / "w.log";
  auto r = serentak({"weather", "--base", server.base_url(), "JAKARTA", "--log", log.string(), "-o", out.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  EXPECT_TRUE(std::regex_match(r.out, std::regex("\nLog aktivitas klien disimpan di: " + log.string() +
                                                 "\nTotal waktu eksekusi: \\d+\\.\\d\\d detik\\.\n")))
      << r.out;
  std::ifstream in(out);
  std::string line;
  std::getline(in, line);  // the preamble
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_TRUE(line.starts_with("{\"index\":0,\"item\":\"JAKARTA\"")) << line;
  EXPECT_EQ(line.find("\"round\""), std::string::npos) << line;
  for (const log_line& l : read_log_lines(log)) EXPECT_EQ(l.message.find("Putaran"), std::string::npos) << l.message;
}

}  // namespace
}  // namespace serentak
