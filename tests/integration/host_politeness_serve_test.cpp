// Issue 13.5 end to end: `serentak fetch --adaptive` against `serentak serve`'s own rate-limit fault
// (`limit=50/s`), both real processes. The server's access lines, stamped as they arrive, say when
// each request was let through ("-> 200") or refused ("Fault limit"); the client's summary says
// where its rate for the host settled.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/process_runner.hpp"
#include "support/serve_process.hpp"
#include "support/test_paths.hpp"

namespace serentak {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

constexpr int items_to_fetch = 450;  // about 9 s at 50 a second

struct seen_after {
  int answered = 0;
  int limited = 0;
};

// The answers to /status/ok the server logged from `from` on.
seen_after answers_after(const testing::serve_process& server, clock_type::time_point from) {
  seen_after seen;
  for (const testing::stamped_line& line : server.lines()) {
    if (line.at < from || line.text.find("/status/ok") == std::string::npos) continue;
    ++seen.answered;
    if (line.text.find("Fault limit") != std::string::npos) ++seen.limited;
  }
  return seen;
}

testing::process_result fetch_politely(const testing::serve_process& server, const testing::scratch_dir& dir,
                                       bool adaptive) {
  const std::filesystem::path urls = dir.path() / "urls.txt";
  {
    std::ofstream out(urls);
    for (int i = 0; i < items_to_fetch; ++i) out << server.base_url() << "/status/ok\n";
  }
  std::vector<std::string> args{testing::binary_path().string(), "fetch", "--urls", "-i", urls.string(), "-c", "20",
                                "--retries", "30", "--no-log", "-q", "--summary", "json"};
  if (adaptive) args.push_back("--adaptive");
  return testing::run_process(args, 120s, dir.path().string());
}

nlohmann::json summary_of(const testing::process_result& run) {
  return nlohmann::json::parse(run.out.substr(run.out.rfind("{\"items\"")), nullptr, false);
}

TEST(host_politeness_serve, adaptive_settles_within_15_percent_of_the_mocks_limit_and_stops_drawing_429s) {
  testing::serve_process server({"--fault", "/status/ok:limit=50/s", "--delay-scale", "0"});
  ASSERT_NE(server.port(), 0);
  testing::scratch_dir dir;
  const auto started = clock_type::now();
  const testing::process_result run = fetch_politely(server, dir, true);
  ASSERT_FALSE(run.timed_out);
  EXPECT_EQ(run.exit_code, 0) << run.err;  // every item ends ok, after its 429s were retried
  const nlohmann::json summary = summary_of(run);
  ASSERT_FALSE(summary.is_discarded()) << run.out;
  ASSERT_EQ(summary["hosts"].size(), 1U) << run.out;
  const nlohmann::json& host = summary["hosts"][0];
  ASSERT_TRUE(host["final_rate_per_s"].is_number()) << host;
  EXPECT_NEAR(host["final_rate_per_s"].get<double>(), 50.0, 7.5) << "within 15% of the route's limit: " << host;
  EXPECT_GT(host["status_429"].get<int>(), 0) << "the limit was found, not guessed";
  const seen_after later = answers_after(server, started + 3s);
  ASSERT_GT(later.answered, 100);
  EXPECT_LT(later.limited, later.answered / 20) << later.limited << " of " << later.answered << " refused after 3 s";
}

TEST(host_politeness_serve, without_adaptive_most_attempts_draw_the_mocks_429) {
  testing::serve_process server({"--fault", "/status/ok:limit=50/s", "--delay-scale", "0"});
  ASSERT_NE(server.port(), 0);
  testing::scratch_dir dir;
  const testing::process_result run = fetch_politely(server, dir, false);
  ASSERT_FALSE(run.timed_out);
  const seen_after all = answers_after(server, clock_type::time_point{});
  EXPECT_GT(all.limited, all.answered / 2) << all.limited << " of " << all.answered << " refused";
}

}  // namespace
}  // namespace serentak
