// Issue 15, point 2: output a script can trust. With --summary json stdout is one JSON object and
// nothing else; `-o -` streams the records to stdout and keeps everything else off it; an unknown
// results extension is exit 2 naming the accepted ones; records and summaries match the JSON
// Schemas in docs/schema/, checked by a small validator for the subset of draft 2020-12 they use.
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/process_runner.hpp"
#include "support/running_server.hpp"
#include "support/scripted_http_server.hpp"
#include "support/test_paths.hpp"

namespace serentak {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::binary_path;
using testing::running_server;
using testing::scratch_dir;

using testing::serentak;

json load_schema(const std::string& name) {
  std::ifstream in(testing::source_dir() / "docs" / "schema" / name);
  return json::parse(in);
}

bool has_type(const json& value, const std::string& type) {
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "string") return value.is_string();
  if (type == "integer")
    return value.is_number_integer() ||
           (value.is_number_float() &&
            value.get<double>() == static_cast<double>(static_cast<long long>(value.get<double>())));
  if (type == "number") return value.is_number();
  if (type == "boolean") return value.is_boolean();
  if (type == "null") return value.is_null();
  ADD_FAILURE() << "the validator does not know the type " << type;
  return false;
}

// The keywords the schemas use: type, required, properties, additionalProperties (false), enum,
// minimum. Any other keyword in a schema is a test failure, so the validator cannot silently
// pass what it does not check.
void validate(const json& value, const json& schema, const std::string& where, std::vector<std::string>& problems) {
  for (const auto& [keyword, rule] : schema.items()) {
    if (keyword == "$schema" || keyword == "$id" || keyword == "title" || keyword == "description") continue;
    if (keyword == "type") {
      if (!has_type(value, rule.get<std::string>())) problems.push_back(where + ": not " + rule.get<std::string>());
    } else if (keyword == "enum") {
      if (std::find(rule.begin(), rule.end(), value) == rule.end())
        problems.push_back(where + ": " + value.dump() + " not in enum");
    } else if (keyword == "minimum") {
      if (value.is_number() && value.get<double>() < rule.get<double>()) problems.push_back(where + ": below minimum");
    } else if (keyword == "required") {
      for (const auto& name : rule) {
        if (!value.is_object() || !value.contains(name.get<std::string>()))
          problems.push_back(where + ": missing " + name.get<std::string>());
      }
    } else if (keyword == "properties") {
      if (!value.is_object()) continue;
      for (const auto& [name, sub] : rule.items()) {
        if (value.contains(name)) validate(value[name], sub, where + "." + name, problems);
      }
    } else if (keyword == "additionalProperties") {
      if (!value.is_object() || rule.get<bool>()) continue;
      for (const auto& [name, ignored] : value.items()) {
        if (!schema.contains("properties") || !schema["properties"].contains(name))
          problems.push_back(where + ": undocumented field " + name);
      }
    } else {
      ADD_FAILURE() << "the validator does not know the keyword " << keyword;
    }
  }
}

std::vector<std::string> problems_of(const json& value, const json& schema) {
  std::vector<std::string> problems;
  validate(value, schema, "$", problems);
  return problems;
}

TEST(machine_output, the_validator_refuses_what_the_schemas_forbid) {
  json record = load_schema("record.schema.json");
  json good = {{"index", 0},    {"item", "a"},   {"url", "http://h/a"}, {"outcome", "ok"},
               {"status", 200}, {"attempts", 1}, {"latency_ms", 1.5}};
  EXPECT_TRUE(problems_of(good, record).empty());
  json extra = good;
  extra["surprise"] = 1;
  EXPECT_FALSE(problems_of(extra, record).empty());
  json wrong = good;
  wrong["outcome"] = "fine";
  EXPECT_FALSE(problems_of(wrong, record).empty());
  json missing = good;
  missing.erase("url");
  EXPECT_FALSE(problems_of(missing, record).empty());
  json negative = good;
  negative["index"] = -1;
  EXPECT_FALSE(problems_of(negative, record).empty());
}

TEST(machine_output, summary_json_is_the_only_thing_on_stdout_and_matches_its_schema) {
  running_server server;
  scratch_dir dir;
  for (std::vector<std::string> args :
       {std::vector<std::string>{"weather", "--base", server.base_url()},
        {"health", "--base", server.base_url(), "--timeout", "100ms"},
        {"fetch", "--url", server.base_url() + "/get_user_profile?user_id={}", "1121", "9999"}}) {
    args.insert(args.end(), {"--summary", "json", "--log", "log.txt"});
    auto r = serentak(args, dir.path().string());
    ASSERT_FALSE(r.timed_out);
    json summary = json::parse(r.out, nullptr, false);  // the whole of stdout, not its last line
    ASSERT_FALSE(summary.is_discarded()) << args[0] << " stdout:\n" << r.out;
    EXPECT_EQ(summary["schema"], 1);
    auto problems = problems_of(summary, load_schema("summary.schema.json"));
    EXPECT_TRUE(problems.empty()) << args[0] << ": " << problems.front();
    // The seed's closing lines went to stderr instead.
    EXPECT_NE(r.err.find(args[0] == "fetch" ? "Total execution time" : "Total waktu eksekusi"), std::string::npos)
        << r.err;
  }
}

TEST(machine_output, dash_out_streams_records_to_stdout_and_nothing_else) {
  running_server server;
  scratch_dir dir;
  json schema = load_schema("record.schema.json");
  for (std::string summary : {"text", "json"}) {
    auto r = serentak({"fetch", "--url", server.base_url() + "/get_user_profile?user_id={}", "1121", "9999", "1122",
                       "-o", "-", "--summary", summary, "--log", "log.txt"},
                      dir.path().string());
    EXPECT_EQ(r.exit_code, 1) << r.err;  // 9999 is not found
    std::istringstream lines(r.out);
    std::vector<std::size_t> indexes;
    for (std::string line; std::getline(lines, line);) {
      json record = json::parse(line, nullptr, false);
      ASSERT_FALSE(record.is_discarded()) << "not a record on stdout: " << line;
      auto problems = problems_of(record, schema);
      EXPECT_TRUE(problems.empty()) << line << ": " << problems.front();
      indexes.push_back(record["index"]);
    }
    std::sort(indexes.begin(), indexes.end());
    EXPECT_EQ(indexes, (std::vector<std::size_t>{0, 1, 2})) << r.out;
    EXPECT_NE(r.err.find("Total execution time"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(summary == "json" ? "{\"items\":3" : "Summary: 3 items"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "-")) << "-o - once wrote a file named '-'";
  }
  auto resume =
      serentak({"fetch", "--url", server.base_url() + "/p?id={}", "1", "-o", "-", "--resume"}, dir.path().string());
  EXPECT_EQ(resume.exit_code, 2) << resume.err;
}

// `-o - --format csv` streamed records without the column header that `-o file.csv` has, so a CSV
// reader took the first record for the header. The header comes first; still no '#' preamble.
TEST(machine_output, dash_out_csv_starts_with_the_column_header_as_a_csv_file_does) {
  running_server server;
  scratch_dir dir;
  auto r = serentak({"fetch", "--url", server.base_url() + "/get_user_profile?user_id={}", "1121", "9999", "-o", "-",
                     "--format", "csv", "--no-log"},
                    dir.path().string());
  EXPECT_EQ(r.exit_code, 1) << r.err;  // 9999 is not found
  std::istringstream lines(r.out);
  std::vector<std::string> got;
  for (std::string line; std::getline(lines, line);) got.push_back(line);
  ASSERT_EQ(got.size(), 3u) << r.out;
  EXPECT_EQ(got[0], "index,item,url,outcome,status,attempts,latency_ms,error,data,http_version");
  EXPECT_TRUE(got[1].starts_with("0,1121,") || got[1].starts_with("1,9999,")) << got[1];
  auto file = serentak(
      {"fetch", "--url", server.base_url() + "/get_user_profile?user_id={}", "1121", "-o", "r.csv", "--no-log"},
      dir.path().string());
  EXPECT_EQ(file.exit_code, 0) << file.err;
  std::ifstream in(dir.path() / "r.csv");
  std::string preamble, header;
  std::getline(in, preamble);
  std::getline(in, header);
  EXPECT_TRUE(preamble.starts_with("#{\"serentak_results\"")) << preamble;
  EXPECT_EQ(header, got[0]) << "stdout's header is the file's";
  auto jsonl =
      serentak({"fetch", "--url", server.base_url() + "/get_user_profile?user_id={}", "1121", "-o", "-", "--no-log"},
               dir.path().string());
  EXPECT_TRUE(jsonl.out.starts_with("{\"index\":0,")) << "JSONL on stdout stays records only: " << jsonl.out;
}

TEST(machine_output, records_of_every_shape_in_a_results_file_match_the_schema) {
  testing::scripted_http_server server([](const testing::scripted_request& request) {
    if (request.target.find("id=json") != std::string::npos)
      return testing::scripted_reply::respond(200, R"({"a": [1, 2]})");
    if (request.target.find("id=html") != std::string::npos)
      return testing::scripted_reply::respond(200, "<html>hi</html>");
    if (request.target.find("id=gone") != std::string::npos) return testing::scripted_reply::respond(404, "");
    return testing::scripted_reply::reset_connection();
  });
  scratch_dir dir;
  auto r = serentak(
      {"fetch", "--url", server.url("/p?id={}"), "json", "html", "gone", "reset", "-o", "out.jsonl", "--no-log"},
      dir.path().string());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  std::ifstream in(dir.path() / "out.jsonl");
  json schema = load_schema("record.schema.json");
  std::size_t count = 0;
  bool preamble = true;  // the first line (docs/cli.md) is not a record
  for (std::string line; std::getline(in, line);) {
    if (std::exchange(preamble, false)) {
      EXPECT_TRUE(line.starts_with("{\"serentak_results\":1,")) << line;
      continue;
    }
    ++count;
    auto problems = problems_of(json::parse(line), schema);
    EXPECT_TRUE(problems.empty()) << line << ": " << problems.front();
  }
  EXPECT_EQ(count, 4u);
}

TEST(machine_output, an_unknown_results_extension_is_exit_2_naming_the_accepted_ones) {
  testing::scripted_http_server server(
      [](const testing::scripted_request&) { return testing::scripted_reply::respond(200, "{}"); });
  scratch_dir dir;
  for (const char* name : {"x.json", "x.txt", "x"}) {
    auto r = serentak({"fetch", "--url", server.url("/p?id={}"), "1", "-o", name}, dir.path().string());
    EXPECT_EQ(r.exit_code, 2) << name;
    EXPECT_NE(r.err.find(".jsonl, .ndjson or .csv"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(dir.path() / name)) << name;
  }
  EXPECT_EQ(
      serentak({"fetch", "--url", server.url("/p?id={}"), "1", "-o", "x.json", "--format", "jsonl", "--no-log", "-q"},
               dir.path().string())
          .exit_code,
      0)
      << "--format says what the name does not";
  EXPECT_EQ(server.requests_seen(), 1u);
}

}  // namespace
}  // namespace serentak
