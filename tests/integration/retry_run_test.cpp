// Retries and the rate limit through a whole run: what the log says, what the results record, and
// that a user's --rate holds. The engine's own retry and rate tests live beside engine_test.cpp.
#include <atomic>
#include <fstream>
#include <map>
#include <regex>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "client/engine/engine.hpp"
#include "client/theme_run.hpp"
#include "support/process_runner.hpp"
#include "support/running_server.hpp"
#include "support/scripted_http_server.hpp"
#include "support/test_paths.hpp"

namespace serentak {
namespace {

using namespace std::chrono_literals;
using testing::scripted_reply;
using testing::scripted_request;

TEST(retry_run, item_7_gets_503_with_retry_after_1_then_200_and_the_run_says_so) {
  client::curl_global curl;
  std::atomic<int> item7_attempts{0};
  std::atomic<long long> first_ms{0}, second_ms{0};
  auto now_ms = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
  };
  testing::scripted_http_server server([&](const scripted_request& request) {
    if (request.target == "/profile?id=7") {
      int attempt = ++item7_attempts;
      (attempt == 1 ? first_ms : second_ms) = now_ms();
      if (attempt == 1) return scripted_reply::respond(503, R"({"error":"busy"})").with_header("Retry-After", "1");
    }
    return scripted_reply::respond(200, R"({"ok":true})").with_header("Content-Type", "application/json");
  });
  testing::scratch_dir dir;
  client::theme_run_config config;
  config.theme = &themes::fetch_theme();
  config.lang = themes::language::en;
  config.url_pattern = server.url("/profile?id={}");
  config.items = {"1", "2", "3", "4", "5", "6", "7"};
  config.retry.max_retries = 2;
  config.log_path = dir.path() / "log.txt";
  config.out_path = dir.path() / "out.jsonl";
  auto result = client::run_theme(config);

  EXPECT_EQ(result.summary.count(outcome::ok), 7u);
  EXPECT_EQ(result.summary.attempts, 8u);
  EXPECT_EQ(item7_attempts.load(), 2);
  EXPECT_GE(second_ms - first_ms, 950) << "Retry-After: 1 must be honoured";

  std::map<std::string, nlohmann::json> records;
  std::ifstream out(config.out_path);
  for (std::string line; std::getline(out, line);) {
    auto record = nlohmann::json::parse(line);
    if (record.is_object() && record.contains("serentak_results")) continue;  // the results preamble (docs/cli.md)
    records[record["item"]] = record;
  }
  ASSERT_EQ(records.size(), 7u) << "exactly one record per item, retries included";
  EXPECT_EQ(records["7"]["attempts"], 2);
  EXPECT_EQ(records["7"]["outcome"], "ok");
  EXPECT_EQ(records["1"]["attempts"], 1);

  std::ifstream log(config.log_path);
  std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("] [Worker-6] Attempt 1 failed (server_error 503), retrying in 1000 ms.\n"), std::string::npos) << text;
}

TEST(retry_run, not_found_is_never_retried) {
  client::curl_global curl;
  std::atomic<int> requests{0};
  testing::scripted_http_server server([&](const scripted_request&) {
    ++requests;
    return scripted_reply::respond(404, "{}");
  });
  client::theme_run_config config;
  config.theme = &themes::fetch_theme();
  config.url_pattern = server.url("/x?id={}");
  config.items = {"a", "b"};
  config.retry.max_retries = 5;
  config.log_enabled = false;
  auto result = client::run_theme(config);
  EXPECT_EQ(result.summary.count(outcome::not_found), 2u);
  EXPECT_EQ(requests.load(), 2);
}

TEST(retry_run, the_rate_option_spaces_requests_out) {
  testing::running_server server(0.0);
  testing::scratch_dir dir;
  std::string ids;
  for (int i = 0; i < 41; ++i) ids += "1121\n";
  {
    std::ofstream(dir.path() / "ids.txt") << ids;
  }
  auto r = testing::run_process({testing::binary_path().string(), "fetch", "--url", server.base_url() + "/get_user_profile?user_id={}",
                                 "-i", (dir.path() / "ids.txt").string(), "--rate", "20/s", "-c", "41", "--no-log", "-q",
                                 "--summary", "json"},
                                60s);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto summary = nlohmann::json::parse(r.out.substr(r.out.rfind('\n', r.out.size() - 2) + 1));
  double wall = summary["wall_s"];
  // 41 requests at 20/s with a burst of 1: the 41st may go 2.0 s after the first.
  EXPECT_GE(wall, 1.9) << "the rate was not held";
  EXPECT_LT(wall, 4.0);
  EXPECT_EQ(testing::run_process({testing::binary_path().string(), "fetch", "--url", "http://h/{}", "--rate", "fast", "1"}, 10s).exit_code, 2);
}

}  // namespace
}  // namespace serentak
