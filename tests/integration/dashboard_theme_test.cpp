// `serentak THEME --every DURATION --web ADDR` (issue 17): a theme run's live dashboard. The real
// binary runs the pizza and weather stories against a real `serentak serve`; the test reads
// /api/v1/endpoints over a raw socket and asserts what docs/dashboard.md promises: one endpoint per
// item with the theme's message line, the parsed body's fields (pizza status, weather temperature
// and condition), up for ok and down otherwise, the theme's view, and a second round folded in.
// And the refusals: --web without --every, and a non-loopback bind without a token, each one line
// and exit 2.
#include <chrono>
#include <csignal>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/dashboard_harness.hpp"
#include "support/file_text.hpp"
#include "support/polling.hpp"
#include "support/process_runner.hpp"

namespace serentak {
namespace {

using namespace std::chrono_literals;
using testing::http_request;
using testing::theme_dashboard_harness;

nlohmann::json endpoints_json(unsigned short port) {
  return nlohmann::json::parse(testing::body_of(http_request(port, "GET", "/api/v1/endpoints")), nullptr, false);
}

// name -> endpoint object, from an /api/v1/endpoints answer.
std::map<std::string, nlohmann::json> by_name(const nlohmann::json& answer) {
  std::map<std::string, nlohmann::json> out;
  if (!answer.is_object() || !answer.contains("endpoints")) return out;
  for (const nlohmann::json& e : answer["endpoints"]) out[e.value("name", "")] = e;
  return out;
}

// Waits until every name has had at least `checks` checks; the last answer.
nlohmann::json wait_for_checks(unsigned short port, const std::vector<std::string>& names, std::uint64_t checks) {
  nlohmann::json answer;
  testing::wait_for(
      [&] {
        answer = endpoints_json(port);
        const auto seen = by_name(answer);
        for (const std::string& n : names) {
          auto it = seen.find(n);
          if (it == seen.end() || it->second.value("checks", 0ULL) < checks) return false;
        }
        return true;
      },
      15s);
  return answer;
}

using testing::serentak;

TEST(dashboard_theme_api, pizza_every_web_shows_each_seed_order_with_its_status_message_and_the_pizza_view) {
  theme_dashboard_harness h("pizza");
  ASSERT_NE(h.port(), 0) << "no dashboard URL on stderr: " << h.command().err();
  const std::vector<std::string> orders{"ORD-101", "ORD-103", "ORD-999", "ORD-102", "ORD-105"};
  const nlohmann::json first = wait_for_checks(h.port(), orders, 1);
  ASSERT_TRUE(first.is_object()) << first.dump();
  EXPECT_EQ(first.value("view", ""), "pizza_board");
  const auto seen = by_name(first);
  EXPECT_EQ(seen.size(), orders.size()) << first.dump();
  const std::map<std::string, std::pair<std::string, std::string>> seed{
      {"ORD-101", {"Baking", "Budi"}}, {"ORD-102", {"Out for Delivery", "Ani"}},
      {"ORD-103", {"Preparing", "Cici"}}, {"ORD-105", {"Baking", "Eka"}}};
  for (const auto& [order, expected] : seed) {
    ASSERT_TRUE(seen.count(order)) << order << " missing: " << first.dump();
    const nlohmann::json& e = seen.at(order);
    EXPECT_EQ(e.value("state", ""), "up") << e.dump();
    EXPECT_EQ(e.value("group", ""), "pizza");
    EXPECT_EQ(e["fields"].value("status", ""), expected.first) << e.dump();
    EXPECT_EQ(e["fields"].value("customer", ""), expected.second) << e.dump();
    // The theme's own line (the seed's Indonesian voice by default).
    EXPECT_NE(e.value("message", "").find("Pesanan " + order + " untuk " + expected.second + " status: " + expected.first),
              std::string::npos)
        << e.dump();
  }
  ASSERT_TRUE(seen.count("ORD-999"));
  EXPECT_EQ(seen.at("ORD-999").value("state", ""), "down");
  EXPECT_FALSE(seen.at("ORD-999")["fields"].contains("status"));
  // No history database behind a theme run: the history route says so.
  EXPECT_NE(http_request(h.port(), "GET", "/api/v1/endpoints/ORD-101/history").find(" 503 "), std::string::npos);

  // The next round is folded into the same endpoints: two latencies on the sparkline.
  const auto second = by_name(wait_for_checks(h.port(), orders, 2));
  ASSERT_TRUE(second.count("ORD-101"));
  EXPECT_GE(second.at("ORD-101").value("checks", 0ULL), 2ULL);
  EXPECT_GE(second.at("ORD-101")["sparkline"].size(), 2U);
  EXPECT_EQ(second.size(), orders.size());

  h.command().signal(SIGTERM);
  EXPECT_EQ(h.command().wait(10s), std::optional<int>(143)) << h.command().err();
}

TEST(dashboard_theme_api, weather_every_web_in_english_has_the_tiles_view_with_temperature_and_condition) {
  theme_dashboard_harness h("weather", {"--lang", "en"});
  ASSERT_NE(h.port(), 0) << "no dashboard URL on stderr: " << h.command().err();
  const nlohmann::json answer = wait_for_checks(h.port(), {"JAKARTA", "BANDUNG", "KUALA_LUMPUR"}, 1);
  EXPECT_EQ(answer.value("view", ""), "weather_tiles");
  const auto seen = by_name(answer);
  ASSERT_TRUE(seen.count("JAKARTA")) << answer.dump();
  EXPECT_EQ(seen.at("JAKARTA")["fields"].value("temp_c", 0), 32);
  EXPECT_EQ(seen.at("JAKARTA")["fields"].value("condition", ""), "Cerah Berawan");
  EXPECT_EQ(seen.at("JAKARTA").value("state", ""), "up");
  EXPECT_EQ(seen.at("KUALA_LUMPUR").value("state", ""), "down");
  const std::string page = http_request(h.port(), "GET", "/");
  EXPECT_NE(page.find("<html lang=\"en\">"), std::string::npos);
  EXPECT_NE(page.find("<title>serentak weather</title>"), std::string::npos);
}

TEST(dashboard_theme_api, web_without_every_is_one_line_and_exit_2) {
  const testing::process_result r = serentak({"pizza", "--web", "127.0.0.1:0", "--no-log"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(testing::lines_of(r.err).size(), 1U) << r.err;
  EXPECT_NE(r.err.find("--web needs --every"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(dashboard_theme_api, a_non_loopback_bind_without_a_token_is_one_line_and_exit_2) {
  for (const std::string command : {"pizza", "fetch"}) {
    std::vector<std::string> args{command, "--every", "1s", "--web", "0.0.0.0:0", "--no-log"};
    if (command == "fetch") args.insert(args.end(), {"--url", "http://127.0.0.1:9/{}", "x"});
    const testing::process_result r = serentak(args);
    EXPECT_EQ(r.exit_code, 2) << command;
    EXPECT_EQ(testing::lines_of(r.err).size(), 1U) << r.err;
    EXPECT_NE(r.err.find("needs --web-token or --web-token-env"), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace serentak
