// The session's delivery modes, end to end over raw sockets: reset, early close, truncated body,
// drip, huge body, hang, extra headers, and a client leaving during its delay. Plans are set
// through server_config::plan_hook (a test seam), keyed by a "mode=" word in the request target.
#include "server/mock_server.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "server/response_plan.hpp"
#include "support/configured_server.hpp"
#include "support/raw_client.hpp"

namespace serentak::server {
namespace {

using namespace std::chrono_literals;
using testing::configured_server;
using testing::raw_client;

const std::string ok_body = "{\"message\":\"Service is running normally.\",\"status\":\"ok\"}\n";

bool has(std::string_view target, std::string_view word) { return target.find(word) != std::string_view::npos; }

// Sets the delivery mode the target names; every other plan is left as routed.
void plan_by_target(std::string_view target, response_plan& plan) {
  if (has(target, "mode=reset")) plan.how = delivery::reset;
  if (has(target, "mode=close")) plan.how = delivery::close_early;
  if (has(target, "mode=truncate")) plan.how = delivery::truncate;
  if (has(target, "mode=drip")) {
    plan.how = delivery::drip;
    plan.drip_bytes_per_second = 400;
  }
  if (has(target, "mode=huge")) {
    plan.how = delivery::huge;
    plan.huge_body_bytes = 128ull << 20;
  }
  if (has(target, "mode=hang")) plan.how = delivery::hang;
  if (has(target, "mode=slow")) plan.delay = 30s;
  if (has(target, "mode=short")) plan.delay = 300ms;
  if (has(target, "mode=headers")) {
    plan.extra_headers = {{"Retry-After", "1"}, {"X-Split", "a\r\nSet-Cookie: x=1"}, {"Bad Name", "v"}};
  }
  if (has(target, "mode=")) plan.fault = "test";
}

// This process's peak resident set (VmHWM), in KiB.
long peak_rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

server_config hooked_config() {
  server_config config = testing::test_config();
  config.plan_hook = plan_by_target;
  return config;
}

std::string get(std::string_view target, bool close = false) {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: t\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n";
}

// Polls the stats until pred holds (bounded: 100 rounds, 50 ms apart).
template <class Pred>
nlohmann::json stats_when(const configured_server& server, Pred pred) {
  nlohmann::json stats;
  for (int round = 0; round < 100; ++round) {
    stats = server.stats();
    if (pred(stats)) break;
    std::this_thread::sleep_for(50ms);
  }
  return stats;
}

TEST(ServerDelivery, ResetSendsNoByteAndEndsWithRst) {
  configured_server server(hooked_config());
  raw_client c(server.port());
  c.send_all(get("/status/ok?mode=reset"));
  EXPECT_EQ(c.wait_for_end(5s), raw_client::end::reset);
  EXPECT_EQ(c.received(), "");
}

TEST(ServerDelivery, CloseEarlySendsNoByteAndEndsWithFin) {
  configured_server server(hooked_config());
  raw_client c(server.port());
  c.send_all(get("/status/ok?mode=close"));
  EXPECT_EQ(c.wait_for_end(5s), raw_client::end::closed);
  EXPECT_EQ(c.received(), "");
}

TEST(ServerDelivery, TruncateAnnouncesTheWholeLengthSendsHalfAndCloses) {
  configured_server server(hooked_config());
  raw_client c(server.port());
  c.send_all(get("/status/ok?mode=truncate"));
  EXPECT_NE(c.wait_for_end(5s), raw_client::end::open);
  const std::string& got = c.received();
  EXPECT_EQ(testing::status_line_of(got), "HTTP/1.1 200 OK");
  EXPECT_EQ(testing::header_of(got, "content-length"), std::to_string(ok_body.size()));
  EXPECT_EQ(testing::header_of(got, "connection"), "close");
  EXPECT_EQ(testing::body_of(got), ok_body.substr(0, ok_body.size() / 2));
}

TEST(ServerDelivery, DripSendsTheWholeResponseInSmallPiecesThenKeepsTheConnection) {
  configured_server server(hooked_config());
  raw_client c(server.port());
  c.send_all(get("/status/ok?mode=drip"));
  ASSERT_TRUE(c.receive(5s));
  // 400 B/s is 40 bytes a tick of 100 ms: the first read cannot hold the whole response.
  EXPECT_LT(c.received().size(), 100u);
  std::string response = c.read_response(10s);
  EXPECT_EQ(testing::status_line_of(response), "HTTP/1.1 200 OK");
  EXPECT_EQ(testing::body_of(response), ok_body);
  // Then as normal: the same connection answers the next request.
  c.send_all(get("/status/ok"));
  EXPECT_EQ(testing::body_of(c.read_response(5s)), ok_body);
  auto stats = server.stats();
  EXPECT_EQ(stats["faults"]["test"], 1);
}

TEST(ServerDelivery, HugeBodyStreamsItsFullLengthWithoutHoldingIt) {
  configured_server server(hooked_config());
  raw_client c(server.port());
  const long peak_before_kib = peak_rss_kib();
  c.send_all(get("/status/ok?mode=huge", true));
  for (int round = 0; round < 100; ++round) {  // the head and the body's first bytes
    std::size_t end_of_head = c.received().find("\r\n\r\n");
    if (end_of_head != std::string::npos && c.received().size() >= end_of_head + 4 + 9) break;
    c.receive(50ms);
  }
  std::size_t head_end = c.received().find("\r\n\r\n");
  ASSERT_NE(head_end, std::string::npos);
  std::string head = c.received().substr(0, head_end + 4);
  EXPECT_EQ(testing::header_of(head, "content-length"), std::to_string(128ull << 20));
  EXPECT_EQ(c.received().substr(head.size(), 9), "{\"data\":\"");
  long long already = static_cast<long long>(c.received().size() - head.size());
  long long rest = c.count_until_end(60s);
  ASSERT_GE(rest, 0) << "the body did not end";
  EXPECT_EQ(already + rest, 128ll << 20);
  // Generated while sending: the 128 MiB never exist in memory (the process's peak grows little).
  EXPECT_LT(peak_rss_kib() - peak_before_kib, 32 * 1024);
}

TEST(ServerDelivery, HangSendsNothingUntilThePeerLeavesWhichCancelsIt) {
  configured_server server(hooked_config());
  {
    raw_client c(server.port());
    c.send_all(get("/status/ok?mode=hang"));
    EXPECT_FALSE(c.receive(300ms));
    EXPECT_EQ(c.state(), raw_client::end::open);
    auto stats = stats_when(server, [](const nlohmann::json& s) { return s["requests"]["in_flight"] == 1; });
    EXPECT_EQ(stats["requests"]["in_flight"], 1);
  }  // the client closes
  auto stats = stats_when(server, [](const nlohmann::json& s) { return s["requests"]["in_flight"] == 0; });
  EXPECT_EQ(stats["requests"]["in_flight"], 0);
  EXPECT_EQ(stats["requests"]["cancelled"], 1);
}

TEST(ServerDelivery, HangEndsAtTheIdleTimeoutWithoutAByte) {
  server_config config = hooked_config();
  config.idle_timeout = 400ms;
  configured_server server(config);
  raw_client c(server.port());
  c.send_all(get("/status/ok?mode=hang"));
  EXPECT_EQ(c.wait_for_end(10s), raw_client::end::closed);
  EXPECT_EQ(c.received(), "");
}

TEST(ServerDelivery, ExtraHeadersAreSentButCannotSplitTheResponse) {
  configured_server server(hooked_config());
  raw_client c(server.port());
  c.send_all(get("/status/ok?mode=headers"));
  std::string response = c.read_response(5s);
  EXPECT_EQ(testing::header_of(response, "retry-after"), "1");
  EXPECT_EQ(testing::header_of(response, "x-split"), "aSet-Cookie: x=1");
  EXPECT_EQ(testing::header_of(response, "set-cookie"), "");
  EXPECT_EQ(response.find("Bad Name"), std::string::npos);
  EXPECT_EQ(testing::body_of(response), ok_body);
}

TEST(ServerDelivery, ARequestPipelinedDuringADelayIsKeptAndAnsweredInOrder) {
  configured_server server(hooked_config());
  raw_client c(server.port());
  c.send_all(get("/status/ok?mode=short"));
  std::this_thread::sleep_for(100ms);  // the second request arrives while the first waits
  c.send_all(get("/status/error"));
  std::string first = c.read_response(5s);
  std::string second = c.read_response(5s);
  EXPECT_EQ(testing::status_line_of(first), "HTTP/1.1 200 OK");
  EXPECT_EQ(testing::status_line_of(second), "HTTP/1.1 500 Internal Server Error");
}

TEST(ServerDelivery, AClientLeavingDuringItsDelayCancelsTheWorkAtOnce) {
  configured_server server(hooked_config());
  for (int i = 0; i < 3; ++i) {
    raw_client c(server.port());
    c.send_all(get("/status/ok?mode=slow"));  // a 30 s delay
    ASSERT_FALSE(c.receive(100ms));
  }  // each client closes long before its 30 s are up
  auto stats = stats_when(
      server, [](const nlohmann::json& s) { return s["requests"]["in_flight"] == 0 && s["connections"]["open"] == 1; });
  EXPECT_EQ(stats["requests"]["in_flight"], 0);
  EXPECT_EQ(stats["requests"]["cancelled"], 3);
  EXPECT_EQ(stats["connections"]["open"], 1);  // the stats request's own
}

TEST(ServerDelivery, DescriptorsStayFlatOverManyCancelledDelays) {
  configured_server server(hooked_config());
  auto idle = [](const nlohmann::json& s) { return s["connections"]["open"] == 1; };
  stats_when(server, idle);
  std::size_t before = testing::open_fd_count();
  constexpr int cycles = 300;
  for (int i = 0; i < cycles; ++i) {
    raw_client c(server.port());
    c.send_all(get("/status/ok?mode=slow"));
  }
  auto stats = stats_when(
      server, [](const nlohmann::json& s) { return s["connections"]["open"] == 1 && s["requests"]["in_flight"] == 0; });
  // A client may leave before its request was even read, so cancelled counts at most every cycle.
  EXPECT_LE(stats["requests"]["cancelled"], cycles);
  EXPECT_EQ(stats["requests"]["in_flight"], 0);
  EXPECT_EQ(stats["connections"]["open"], 1);
  EXPECT_LE(testing::open_fd_count(), before + 2);
}

}  // namespace
}  // namespace serentak::server
