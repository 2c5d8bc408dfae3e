// `serentak serve` with scenarios and faults, as a user runs it: --print-scenario, the printed
// scenario served back with --scenario answering exactly as the built-in one, strict errors that
// exit 2 before listening, and the issue's scripted fault with the real client:
// "user 1121: attempt 1 gets 503 with Retry-After 1, attempt 2 gets 200".
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include "cli/exit_codes.hpp"
#include "support/process_runner.hpp"
#include "support/serve_process.hpp"
#include "support/test_paths.hpp"

namespace serentak {
namespace {

using namespace std::chrono_literals;
using testing::run_process;
using testing::serve_process;

struct http_answer {
  long status = 0;
  std::string headers;
  std::string body;
};

std::size_t append(char* data, std::size_t size, std::size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

http_answer http_get(const std::string& url) {
  http_answer answer;
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, append);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &answer.headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
  curl_easy_cleanup(curl);
  return answer;
}

std::string header(const http_answer& a, const std::string& name) {
  std::istringstream lines(a.headers);
  for (std::string line; std::getline(lines, line);) {
    if (line.size() > name.size() + 1 && strncasecmp(line.c_str(), name.c_str(), name.size()) == 0 &&
        line[name.size()] == ':') {
      std::string value = line.substr(name.size() + 1);
      while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
      while (!value.empty() && (value.back() == '\r' || value.back() == ' ')) value.pop_back();
      return value;
    }
  }
  return "(none)";
}

using testing::serentak;

std::string write_file(const testing::scratch_dir& dir, const std::string& name, const std::string& text) {
  std::string path = (dir.path() / name).string();
  std::ofstream(path) << text;
  return path;
}

TEST(ServeScenario, PrintScenarioPrintsABuiltinAsJson) {
  auto r = serentak({"serve", "--print-scenario", "weather"});
  ASSERT_EQ(r.exit_code, cli::exit_ok) << r.err;
  auto printed = nlohmann::json::parse(r.out);
  EXPECT_EQ(printed["name"], "weather");
  EXPECT_EQ(printed["routes"][0]["path"], "/get_weather");
  EXPECT_EQ(printed["routes"][0]["latency"], nlohmann::json({{"model", "uniform"}, {"min_s", 0.2}, {"max_s", 0.6}}));
  auto unknown = serentak({"serve", "--print-scenario", "nope"});
  EXPECT_EQ(unknown.exit_code, cli::exit_usage);
  EXPECT_NE(unknown.err.find("no built-in scenario 'nope'"), std::string::npos) << unknown.err;
}

// print -> load -> identical answers, bodies, delays and access lines, over HTTP.
TEST(ServeScenario, APrintedScenarioServedBackAnswersExactlyAsTheBuiltin) {
  testing::scratch_dir dir;
  std::vector<std::string> files;
  for (const char* name : {"weather", "profiles", "health"}) {
    auto printed = serentak({"serve", "--print-scenario", name});
    ASSERT_EQ(printed.exit_code, 0);
    files.push_back(write_file(dir, std::string(name) + ".json", printed.out));
  }
  serve_process builtin({"--seed", "5", "--delay-scale", "0.1"});
  serve_process loaded(
      {"--seed", "5", "--delay-scale", "0.1", "--scenario", files[0], "--scenario", files[1], "--scenario", files[2]});
  ASSERT_NE(builtin.port(), 0);
  ASSERT_NE(loaded.port(), 0);
  for (const char* target :
       {"/get_weather?city=jakarta", "/get_weather", "/get_weather?city=atlantis", "/get_user_profile?user_id=1121",
        "/get_user_profile", "/status/slow", "/status/error", "/check_book_status?isbn=978-3-16-148410-0"}) {
    http_answer a = http_get(builtin.base_url() + target);
    http_answer b = http_get(loaded.base_url() + target);
    bool books = std::string_view(target).starts_with("/check_book");
    EXPECT_EQ(b.status, books ? 404 : a.status) << target;  // books was not loaded: only the files serve
    if (books) continue;
    EXPECT_EQ(a.body, b.body) << target;
    EXPECT_EQ(header(a, "X-Serentak-Delay-Ms"), header(b, "X-Serentak-Delay-Ms")) << target;
  }
  ASSERT_TRUE(loaded.wait_for_line("GET /status/error -> 500", 5s));
  ASSERT_TRUE(builtin.wait_for_line("GET /status/error -> 500", 5s));
  auto access = [](const serve_process& p) {
    std::vector<std::string> out;
    for (const auto& line : p.lines()) {
      if (line.text.starts_with("[SERVER] ")) out.push_back(line.text);
    }
    return out;
  };
  auto about_books = [](const std::string& l) {
    return l.find("ISBN") != std::string::npos || l.find("check_book_status") != std::string::npos;
  };
  std::vector<std::string> expected = access(builtin);
  std::erase_if(expected, about_books);
  std::vector<std::string> got = access(loaded);
  std::erase_if(got, about_books);
  EXPECT_EQ(got.size(), 7u);
  EXPECT_EQ(got, expected);
}

TEST(ServeScenario, MistakesExitTwoNamingFileAndPathBeforeListening) {
  testing::scratch_dir dir;
  std::string bad = write_file(
      dir, "bad.json", R"({"routes": [{"path": "/a", "latency": {"model": "uniform", "min_s": -1, "max_s": 1}}]})");
  auto r = serentak({"serve", "--port", "0", "--scenario", bad});
  EXPECT_EQ(r.exit_code, cli::exit_usage);
  EXPECT_NE(r.err.find(bad + ": routes[0].latency.min_s: must be a number >= 0"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("running on"), std::string::npos) << "it listened";

  std::string a = write_file(dir, "a.json", R"({"routes": [{"path": "/x"}]})");
  std::string b = write_file(dir, "b.json", R"({"routes": [{"path": "/x"}]})");
  auto twice = serentak({"serve", "--port", "0", "--scenario", a, "--scenario", b});
  EXPECT_EQ(twice.exit_code, cli::exit_usage);
  EXPECT_NE(twice.err.find("route /x is declared twice: in " + a + " and in " + b), std::string::npos) << twice.err;

  auto fault = serentak({"serve", "--port", "0", "--fault", "profiles:user_id=1121:attempt=1:999"});
  EXPECT_EQ(fault.exit_code, cli::exit_usage);
  EXPECT_NE(fault.err.find("--fault 'profiles:user_id=1121:attempt=1:999': a status must be 100-599"),
            std::string::npos)
      << fault.err;
  auto route = serentak({"serve", "--port", "0", "--fault", "/nowhere:reset"});
  EXPECT_EQ(route.exit_code, cli::exit_usage);
  EXPECT_NE(route.err.find("no route /nowhere"), std::string::npos) << route.err;
}

// The issue's example, end to end with the real client.
TEST(ServeFaults, FirstAttemptGets503WithRetryAfterAndTheClientSucceedsOnTheSecond) {
  testing::scratch_dir dir;
  serve_process server(
      {"--seed", "1", "--delay-scale", "0", "--fault", "profiles:user_id=1121:attempt=1:503:retry-after=1"});
  ASSERT_NE(server.port(), 0);
  std::string out = (dir.path() / "out.jsonl").string();
  auto r = serentak({"profiles", "1121", "--retries", "2", "-o", out, "--base", server.base_url(), "--no-log", "-q"});
  EXPECT_EQ(r.exit_code, cli::exit_ok) << r.out << r.err;

  std::ifstream in(out);
  std::vector<nlohmann::json> records;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("{\"serentak_results\"", 0) == 0) continue;  // the preamble (docs/cli.md), not a record
    records.push_back(nlohmann::json::parse(line));
  }
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["item"], "1121");
  EXPECT_EQ(records[0]["outcome"], "ok");
  EXPECT_EQ(records[0]["attempts"], 2);

  // As the server saw them: the fault, then the answer, at least about a second apart.
  ASSERT_TRUE(server.wait_for_line("Sending profile for user_id 1121", 5s));
  std::chrono::steady_clock::time_point fault_at{};
  std::chrono::steady_clock::time_point ok_at{};
  for (const auto& line : server.lines()) {
    if (line.text == "[SERVER] Fault status 503 on /get_user_profile for item '1121', attempt 1 (after 0.00s delay)") {
      fault_at = line.at;
    }
    if (line.text.starts_with("[SERVER] Sending profile for user_id 1121:")) ok_at = line.at;
  }
  ASSERT_NE(fault_at.time_since_epoch().count(), 0) << "no fault line";
  ASSERT_NE(ok_at.time_since_epoch().count(), 0);
  EXPECT_GE(ok_at - fault_at, 950ms);  // Retry-After: 1, with the pipe's few milliseconds of slack
}

TEST(ServeFaults, ScenarioFileFaultsAndShareFaultsAreServed) {
  testing::scratch_dir dir;
  std::string file = write_file(dir, "api.json", R"({"name": "api", "routes": [
    {"path": "/item", "param": "id", "records": {"1": {"v": 1}},
     "faults": [{"kind": "status", "item": "1", "attempt": [1, 2], "status": 429, "retry_after_s": 7,
                 "body": {"error": "slow_down"}}]},
    {"path": "/flaky", "status": 200, "body": {"ok": true}}]})");
  serve_process server({"--seed", "3", "--scenario", file, "--fault", "/flaky:30%:500", "--quiet"});
  ASSERT_NE(server.port(), 0);
  for (int attempt = 1; attempt <= 2; ++attempt) {
    http_answer limited = http_get(server.base_url() + "/item?id=1");
    EXPECT_EQ(limited.status, 429);
    EXPECT_EQ(limited.body, "{\"error\":\"slow_down\"}\n");
    EXPECT_EQ(header(limited, "Retry-After"), "7");
  }
  EXPECT_EQ(http_get(server.base_url() + "/item?id=1").body, "{\"id\":\"1\",\"v\":1}\n");
  int errors = 0;
  for (int i = 0; i < 200; ++i) errors += http_get(server.base_url() + "/flaky").status == 500 ? 1 : 0;
  EXPECT_GT(errors, 30);
  EXPECT_LT(errors, 90);
}

// Every fault kind through the real client, each item scripted with one kind, and the outcome the
// client's one classification gives it. Transport faults are carried out by the server's session.
TEST(ServeFaults, EachKindReachesTheClientAsTheRightOutcome) {
  testing::scratch_dir dir;
  nlohmann::ordered_json records = nlohmann::ordered_json::object();
  for (int i = 1; i <= 10; ++i) records[std::to_string(i)] = {{"username", "user" + std::to_string(i)}};
  nlohmann::ordered_json file{
      {"name", "faulty"}, {"routes", {{{"path", "/get_user_profile"}, {"param", "user_id"}, {"records", records}}}}};
  std::string scenario = write_file(dir, "faulty.json", file.dump());
  struct kind_case {
    const char* item;
    const char* fault;
    const char* outcome;
  };
  const std::vector<kind_case> cases{
      {"1", "reset", "connection_error"},
      {"2", "close", "connection_error"},
      {"3", "truncate", "invalid_response"},
      {"4", "malformed-json", "invalid_response"},
      {"5", "html", "invalid_response"},
      {"6", "drip=4000", "ok"},
      {"7", "hang", "timeout"},
      // Over --max-body 64k: the client stops reading at once. (Over the default 8 MiB, reading
      // 8 MiB could take longer than the 1 s timeout in a sanitizer build on a busy machine.)
      {"8", "huge=2M", "invalid_response"},
      {"9", "503:retry-after=1", "server_error"},
      {"10", "", "ok"},
  };
  std::vector<std::string> args{"--seed", "1", "--delay-scale", "0", "--quiet", "--scenario", scenario};
  std::vector<std::string> client{"profiles",
                                  "--base",
                                  "",
                                  "--retries",
                                  "0",
                                  "--timeout",
                                  "1",
                                  "--max-body",
                                  "64k",
                                  "--no-log",
                                  "-q"};
  std::vector<std::string> items;
  for (const kind_case& c : cases) {
    items.push_back(c.item);
    if (*c.fault == '\0') continue;
    args.push_back("--fault");
    args.push_back(std::string("/get_user_profile:user_id=") + c.item + ":" + c.fault);
  }
  serve_process server(args);
  ASSERT_NE(server.port(), 0);
  client[2] = server.base_url();
  // Through libcurl and through the native transport: both must classify every fault alike.
  for (const std::string transport : {"curl", "native"}) {
    auto out = dir.path() / (transport + ".jsonl");
    std::vector<std::string> run = client;
    run.insert(run.end(), {"--transport", transport, "-o", out.string()});
    run.insert(run.end(), items.begin(), items.end());
    auto r = serentak(run, 60s);
    EXPECT_EQ(r.exit_code, cli::exit_items_failed) << transport << ": " << r.err;
    std::ifstream in(out);
    std::map<std::string, std::string> outcomes;
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("{\"serentak_results\"", 0) == 0) continue;  // the preamble (docs/cli.md), not a record
      auto record = nlohmann::json::parse(line);
      outcomes[record["item"]] = record["outcome"];
    }
    for (const kind_case& c : cases) EXPECT_EQ(outcomes[c.item], c.outcome) << transport << ", fault " << c.fault;
  }
}

}  // namespace
}  // namespace serentak
