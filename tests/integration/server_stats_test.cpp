// GET /__serentak/stats and GET /metrics on the real server: counts by route and status, requests
// in flight while they wait, faults by kind, latency percentiles, the Prometheus text format and
// its label escaping.
#include "server/http/mock_server.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "server/routes/response_plan.hpp"
#include "server/stats/server_stats.hpp"
#include "support/configured_server.hpp"
#include "support/raw_client.hpp"

namespace serentak::server {
namespace {

using namespace std::chrono_literals;
using testing::configured_server;
using testing::raw_client;

using testing::get_request;

// A route name with every character the exposition format must escape.
constexpr std::string_view odd_route = "/odd\"route\\with\nnewline";

void label_routes(std::string_view target, response_plan& plan) {
  if (target.find("slow=1") != std::string_view::npos) plan.delay = 30s;
  if (target.find("odd=1") != std::string_view::npos) plan.route = odd_route;
  if (target.find("fault=1") != std::string_view::npos) plan.fault = "status_503";
}

server_config stats_config() {
  server_config config = testing::test_config();
  config.plan_hook = label_routes;
  return config;
}

void request(unsigned short port, const std::string& target, const std::string& status_line) {
  raw_client c(port);
  c.send_all(get_request(target));
  EXPECT_EQ(testing::status_line_of(c.read_response(5s)), status_line) << target;
}

TEST(ServerStats, CountsRequestsByRouteAndStatusAndFaultsByKind) {
  configured_server server(stats_config());
  request(server.port(), "/status/ok", "HTTP/1.1 200 OK");
  request(server.port(), "/status/ok", "HTTP/1.1 200 OK");
  request(server.port(), "/status/error?fault=1", "HTTP/1.1 500 Internal Server Error");
  request(server.port(), "/nowhere", "HTTP/1.1 404 Not Found");
  // A response can reach the client just before the server records it: poll (bounded) until none
  // is in flight; the polls' own stats requests are counted apart below.
  auto stats = server.stats();
  for (int round = 0; round < 100 && stats["requests"]["in_flight"] != 0; ++round) {
    std::this_thread::sleep_for(20ms);
    stats = server.stats();
  }
  // Until the router names routes (plan.route), every request counts under one label; the
  // statuses are exact either way.
  std::uint64_t ok = 0, errors = 0, not_found = 0, polls = 0;
  for (const auto& [route, statuses] : stats["requests"]["by_route"].items()) {
    if (route == "/__serentak/stats") {
      for (const auto& [status, count] : statuses.items()) polls += count.get<std::uint64_t>();
      continue;
    }
    ok += statuses.value("200", 0u);
    errors += statuses.value("500", 0u);
    not_found += statuses.value("404", 0u);
  }
  EXPECT_EQ(ok, 2u);
  EXPECT_EQ(errors, 1u);
  EXPECT_EQ(not_found, 1u);
  EXPECT_EQ(stats["requests"]["answered"].get<std::uint64_t>() - polls, 4u);
  EXPECT_EQ(stats["faults"]["status_503"], 1);
  EXPECT_EQ(stats["requests"]["in_flight"], 0);
  EXPECT_GE(stats["connections"]["accepted"], 5);
  EXPECT_TRUE(stats["latency_ms"].is_object());
  for (const auto& [route, latency] : stats["latency_ms"].items()) {
    EXPECT_GE(latency["p99"].get<double>(), latency["p50"].get<double>()) << route;
    EXPECT_GE(latency["max"].get<double>(), latency["p99"].get<double>()) << route;
  }
}

// A request ended without a response (reset, close, hang: status 0) is finished but not answered.
TEST(ServerStats, AnsweredCountsOnlyRequestsThatGotAResponse) {
  server_stats stats;
  for (int i = 0; i < 4; ++i) stats.request_started();
  stats.request_finished("/status/ok", 200, "", 1ms);
  stats.request_finished("/status/ok", 0, "reset", 1ms);
  stats.request_finished("/status/ok", 0, "hang", 1ms);
  stats.request_finished("/status/error", 500, "status_503", 1ms);
  stats_snapshot s = stats.snapshot();
  EXPECT_EQ(s.requests_answered, 2u);
  EXPECT_EQ(s.routes.at("/status/ok").by_status.at(0), 2u);  // still counted by status, as 0
  EXPECT_EQ(s.requests_in_flight, 0);
}

TEST(ServerStats, RequestsWaitingOnTheirDelayAreInFlight) {
  configured_server server(stats_config());
  std::vector<std::unique_ptr<raw_client>> waiting;
  for (int i = 0; i < 3; ++i) {
    waiting.push_back(std::make_unique<raw_client>(server.port()));
    waiting.back()->send_all(get_request("/status/ok?slow=1"));
  }
  nlohmann::json stats;
  for (int round = 0; round < 100; ++round) {
    stats = server.stats();
    if (stats["requests"]["in_flight"] == 3) break;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(stats["requests"]["in_flight"], 3);
  EXPECT_EQ(stats["connections"]["open"], 4);  // three waiting, and the stats request's own
}

TEST(ServerStats, MetricsAreInThePrometheusTextFormatWithEscapedLabels) {
  configured_server server(stats_config());
  request(server.port(), "/status/ok?odd=1", "HTTP/1.1 200 OK");
  request(server.port(), "/status/ok?fault=1", "HTTP/1.1 200 OK");
  // A response can reach the client just before the server records it: wait (bounded) for both.
  std::string text = server.metrics();
  for (int round = 0; round < 100 && text.find("serentak_requests_in_flight 0\n") == std::string::npos; ++round) {
    std::this_thread::sleep_for(20ms);
    text = server.metrics();
  }
  EXPECT_NE(text.find("# TYPE serentak_requests_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE serentak_connections_open gauge\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE serentak_request_duration_seconds summary\n"), std::string::npos);
  EXPECT_NE(text.find("serentak_requests_total{route=\"/odd\\\"route\\\\with\\nnewline\",status=\"200\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("serentak_faults_injected_total{kind=\"status_503\"} 1\n"), std::string::npos);
  // Every line is a comment, or a metric name with optional labels and a number.
  std::istringstream lines(text);
  const std::regex sample(R"(^[a-z_]+(\{([a-z_]+="([^"\\]|\\.)*",?)+\})? -?[0-9.e+-]+$)");
  std::string line;
  int samples = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) continue;
    EXPECT_TRUE(std::regex_match(line, sample)) << line;
    ++samples;
  }
  EXPECT_GT(samples, 8);
}

TEST(ServerStats, HeadAndOtherMethodsOnTheStatsPaths) {
  configured_server server(stats_config());
  raw_client c(server.port());
  c.send_all("HEAD /metrics HTTP/1.1\r\nHost: t\r\n\r\n");
  for (int round = 0; round < 50 && c.received().find("\r\n\r\n") == std::string::npos; ++round) c.receive(100ms);
  std::string head = c.received();  // a HEAD's Content-Length announces a body that never comes
  EXPECT_EQ(testing::status_line_of(head), "HTTP/1.1 200 OK");
  EXPECT_EQ(testing::header_of(head, "content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(testing::body_of(head), "");
  raw_client post(server.port());
  post.send_all("POST /__serentak/stats HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(testing::status_line_of(post.read_response(5s)), "HTTP/1.1 404 Not Found");
}

}  // namespace
}  // namespace serentak::server
