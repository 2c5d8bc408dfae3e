// The response head builder, the huge body generator and the metrics text, without sockets.
#include "server/http/response_head.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "server/faults/huge_body.hpp"
#include "server/stats/metrics_text.hpp"

namespace serentak::server {
namespace {

TEST(ResponseHead, HasTheStatusLineFieldsAndLengthInOrder) {
  response_plan plan;
  plan.status = 404;
  plan.delay = std::chrono::milliseconds(420);
  std::string head = response_head(plan, {11, true, 17});
  EXPECT_EQ(head.rfind("HTTP/1.1 404 Not Found\r\nServer: serentak\r\nDate: ", 0), 0u) << head;
  EXPECT_NE(head.find("\r\nContent-Type: application/json\r\nX-Serentak-Delay-Ms: 420\r\nContent-Length: 17\r\n\r\n"),
            std::string::npos)
      << head;
  EXPECT_EQ(head.find("Connection"), std::string::npos);
}

TEST(ResponseHead, ConnectionFieldFollowsTheVersion) {
  response_plan plan;
  EXPECT_NE(response_head(plan, {11, false, 0}).find("\r\nConnection: close\r\n"), std::string::npos);
  EXPECT_NE(response_head(plan, {10, true, 0}).find("\r\nConnection: keep-alive\r\n"), std::string::npos);
  EXPECT_EQ(response_head(plan, {10, false, 0}).find("Connection"), std::string::npos);
  EXPECT_EQ(response_head(plan, {10, false, 0}).rfind("HTTP/1.0 200 OK\r\n", 0), 0u);
}

TEST(ResponseHead, ExtraHeadersCannotInjectLinesAndBadNamesAreDropped) {
  response_plan plan;
  plan.extra_headers = {{"Retry-After", "1"}, {"X-A", "x\r\nSet-Cookie: y\x01"}, {"Bad:Name", "v"}, {"", "v"}};
  std::string head = response_head(plan, {11, true, 0});
  EXPECT_NE(head.find("\r\nRetry-After: 1\r\n"), std::string::npos);
  EXPECT_NE(head.find("\r\nX-A: xSet-Cookie: y\r\n"), std::string::npos);
  EXPECT_EQ(head.find("Bad:Name"), std::string::npos);
  EXPECT_EQ(head.find("\r\n: v"), std::string::npos);
}

TEST(ResponseHead, DateIsAnImfFixdate) {
  std::string date(cached_http_date());
  ASSERT_EQ(date.size(), 29u) << date;
  EXPECT_EQ(date.substr(25), " GMT");
  EXPECT_EQ(date[3], ',');
}

std::string whole_huge_body(std::uint64_t total, std::size_t piece) {
  std::string out;
  for (int round = 0; round < 1000000 && out.size() < total; ++round) {
    std::string_view p = huge_body_piece(total, out.size(), piece);
    if (p.empty()) break;
    out.append(p);
  }
  return out;
}

TEST(HugeBody, PiecesAddUpToExactlyTheLengthAndFormJson) {
  for (std::uint64_t total : {0ull, 1ull, 11ull, 12ull, 13ull, 100000ull, 200003ull}) {
    for (std::size_t piece : {1u, 7u, 65536u}) {
      std::string body = whole_huge_body(total, piece);
      EXPECT_EQ(body.size(), total) << total << "/" << piece;
      if (total >= 12) {
        auto doc = nlohmann::json::parse(body, nullptr, false);
        ASSERT_FALSE(doc.is_discarded()) << total;
        EXPECT_EQ(doc["data"].get<std::string>().size(), total - 12);
      }
    }
  }
  EXPECT_TRUE(huge_body_piece(10, 10, 5).empty());
}

TEST(MetricsText, LabelValuesAreEscaped) {
  EXPECT_EQ(escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  EXPECT_EQ(escape_label_value("/get_weather"), "/get_weather");
}

TEST(MetricsText, EmptyStatsRenderEveryFamily) {
  stats_snapshot empty;
  std::string text = prometheus_text(empty);
  for (const char* family : {"serentak_connections_open", "serentak_requests_in_flight", "serentak_requests_total",
                             "serentak_faults_injected_total", "serentak_request_duration_seconds"}) {
    EXPECT_NE(text.find(std::string("# HELP ") + family + " "), std::string::npos) << family;
    EXPECT_NE(text.find(std::string("# TYPE ") + family + " "), std::string::npos) << family;
  }
  auto doc = nlohmann::json::parse(stats_json(empty));
  EXPECT_EQ(doc["requests"]["in_flight"], 0);
  EXPECT_TRUE(doc["faults"].is_object());
}

}  // namespace
}  // namespace serentak::server
