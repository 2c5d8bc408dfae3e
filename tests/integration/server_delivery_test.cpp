// The session's delivery modes, end to end over raw sockets: reset, early close, truncated body,
// drip, huge body, hang, extra headers, and a client leaving during its delay. Plans are set
// through server_config::plan_hook (a test seam), keyed by a "mode=" word in the request target.
#include "server/http/mock_server.hpp"

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "server/routes/response_plan.hpp"
#include "support/configured_server.hpp"
#include "support/raw_client.hpp"

namespace serentak::server {
namespace {

using namespace std::chrono_literals;
using testing::configured_server;
using testing::peak_rss_kib;
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
    if (has(target, "rate=19")) plan.drip_bytes_per_second = 19;
    if (has(target, "rate=5")) plan.drip_bytes_per_second = 5;
    if (has(target, "rate=95")) plan.drip_bytes_per_second = 95;
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

server_config hooked_config() {
  server_config config = testing::test_config();
  config.plan_hook = plan_by_target;
  return config;
}

using testing::get_request;

TEST(ServerDelivery, ResetSendsNoByteAndEndsWithRst) {
  configured_server server(hooked_config());
  raw_client c(server.port());
  c.send_all(get_request("/status/ok?mode=reset"));
  EXPECT_EQ(c.wait_for_end(5s), raw_client::end::reset);
  EXPECT_EQ(c.received(), "");
}

TEST(ServerDelivery, CloseEarlySendsNoByteAndEndsWithFin) {
  configured_server server(hooked_config());
  raw_client c(server.port());
  c.send_all(get_request("/status/ok?mode=close"));
  EXPECT_EQ(c.wait_for_end(5s), raw_client::end::closed);
  EXPECT_EQ(c.received(), "");
}

TEST(ServerDelivery, TruncateAnnouncesTheWholeLengthSendsHalfAndCloses) {
  configured_server server(hooked_config());
  raw_client c(server.port());
  c.send_all(get_request("/status/ok?mode=truncate"));
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
  c.send_all(get_request("/status/ok?mode=drip"));
  ASSERT_TRUE(c.receive(5s));
  // 400 B/s is 40 bytes a tick of 100 ms: the first read cannot hold the whole response.
  EXPECT_LT(c.received().size(), 100u);
  std::string response = c.read_response(10s);
  EXPECT_EQ(testing::status_line_of(response), "HTTP/1.1 200 OK");
  EXPECT_EQ(testing::body_of(response), ok_body);
  // Then as normal: the same connection answers the next request.
  c.send_all(get_request("/status/ok"));
  EXPECT_EQ(testing::body_of(c.read_response(5s)), ok_body);
  auto stats = server.stats();
  EXPECT_EQ(stats["faults"]["test"], 1);
}

// Reads for `how_long` and returns every byte received (bounded: one read a round, until then).
std::string received_within(raw_client& c, std::chrono::milliseconds how_long) {
  auto deadline = std::chrono::steady_clock::now() + how_long;
  for (int round = 0; round < 10000 && c.state() == raw_client::end::open; ++round) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left <= 0ms) break;
    c.receive(left);
  }
  return c.received();
}

// 19 B/s used to be cut to 1 byte a 100 ms tick (10 B/s): the remainder is carried now.
TEST(ServerDelivery, DripKeepsAnOddRateOnAverage) {
  configured_server server(hooked_config());
  raw_client c(server.port());
  c.send_all(get_request("/status/ok?mode=drip&rate=19"));
  std::string got = received_within(c, 2000ms);
  // 19 B/s for 2 s (plus the first tick's due) is about 40 bytes; 10 B/s would be 21 at most.
  EXPECT_GE(got.size(), 30u) << got;
  EXPECT_LE(got.size(), 45u) << got;
  EXPECT_EQ(got.rfind("HTTP/1.1 200 OK", 0), 0u) << got;
}

TEST(ServerDelivery, DripBelowTenBytesASecondStillProgresses) {
  configured_server server(hooked_config());
  raw_client c(server.port());
  c.send_all(get_request("/status/ok?mode=drip&rate=5"));
  std::string got = received_within(c, 1500ms);
  // A byte every 200 ms: about 8 bytes in 1.5 s, never none, never a burst.
  EXPECT_GE(got.size(), 5u) << got;
  EXPECT_LE(got.size(), 10u) << got;
  EXPECT_EQ(std::string("HTTP/1.1 200 OK").rfind(got, 0), 0u) << got;
}

TEST(ServerDelivery, DripAtAnOddRateFinishesWithTheWholeBody) {
  configured_server server(hooked_config());
  raw_client c(server.port());
  auto start = std::chrono::steady_clock::now();
  c.send_all(get_request("/status/ok?mode=drip&rate=95"));
  std::string response = c.read_response(10s);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(testing::status_line_of(response), "HTTP/1.1 200 OK");
  EXPECT_EQ(testing::body_of(response), ok_body);
  // The whole response at 95 B/s: its size / 95 seconds, give or take a tick.
  auto expected = std::chrono::duration<double>(static_cast<double>(response.size()) / 95);
  EXPECT_GT(took, expected - 300ms);
  EXPECT_LT(took, expected + 1500ms);
}

TEST(ServerDelivery, HugeBodyStreamsItsFullLengthWithoutHoldingIt) {
  configured_server server(hooked_config());
  raw_client c(server.port());
  const long peak_before_kib = peak_rss_kib();
  c.send_all(get_request("/status/ok?mode=huge", true));
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
    c.send_all(get_request("/status/ok?mode=hang"));
    EXPECT_FALSE(c.receive(300ms));
    EXPECT_EQ(c.state(), raw_client::end::open);
    auto stats = server.stats_when([](const nlohmann::json& s) { return s["requests"]["in_flight"] == 1; });
    EXPECT_EQ(stats["requests"]["in_flight"], 1);
  }  // the client closes
  auto stats = server.stats_when([](const nlohmann::json& s) { return s["requests"]["in_flight"] == 0; });
  EXPECT_EQ(stats["requests"]["in_flight"], 0);
  EXPECT_EQ(stats["requests"]["cancelled"], 1);
}

TEST(ServerDelivery, HangEndsAtTheIdleTimeoutWithoutAByte) {
  server_config config = hooked_config();
  config.idle_timeout = 400ms;
  configured_server server(config);
  raw_client c(server.port());
  c.send_all(get_request("/status/ok?mode=hang"));
  EXPECT_EQ(c.wait_for_end(10s), raw_client::end::closed);
  EXPECT_EQ(c.received(), "");
}

TEST(ServerDelivery, ExtraHeadersAreSentButCannotSplitTheResponse) {
  configured_server server(hooked_config());
  raw_client c(server.port());
  c.send_all(get_request("/status/ok?mode=headers"));
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
  c.send_all(get_request("/status/ok?mode=short"));
  std::this_thread::sleep_for(100ms);  // the second request arrives while the first waits
  c.send_all(get_request("/status/error"));
  std::string first = c.read_response(5s);
  std::string second = c.read_response(5s);
  EXPECT_EQ(testing::status_line_of(first), "HTTP/1.1 200 OK");
  EXPECT_EQ(testing::status_line_of(second), "HTTP/1.1 500 Internal Server Error");
}

TEST(ServerDelivery, AClientLeavingDuringItsDelayCancelsTheWorkAtOnce) {
  configured_server server(hooked_config());
  for (int i = 0; i < 3; ++i) {
    raw_client c(server.port());
    c.send_all(get_request("/status/ok?mode=slow"));  // a 30 s delay
    ASSERT_FALSE(c.receive(100ms));
  }  // each client closes long before its 30 s are up
  auto stats = server.stats_when(
      [](const nlohmann::json& s) { return s["requests"]["in_flight"] == 0 && s["connections"]["open"] == 1; });
  EXPECT_EQ(stats["requests"]["in_flight"], 0);
  EXPECT_EQ(stats["requests"]["cancelled"], 3);
  EXPECT_EQ(stats["connections"]["open"], 1);  // the stats request's own
}

// A delay under a second is not watched (session.cpp watched_delay): a client that leaves during
// one is noticed when its answer is written, and its connection is released then, not kept.
TEST(ServerDelivery, AClientLeavingDuringAShortDelayIsReleasedWhenTheDelayEnds) {
  configured_server server(hooked_config());
  for (int i = 0; i < 3; ++i) {
    raw_client c(server.port());
    c.send_all(get_request("/status/ok?mode=short"));  // 300 ms
  }  // each client closes at once
  auto stats = server.stats_when(
      [](const nlohmann::json& s) { return s["requests"]["in_flight"] == 0 && s["connections"]["open"] == 1; });
  EXPECT_EQ(stats["requests"]["in_flight"], 0);
  EXPECT_EQ(stats["connections"]["open"], 1);  // the stats request's own
}

// A response that ends its connection ("Connection: close") after a delay closes the server's end
// even though the client keeps its socket open and silent: nothing of the delay (the peer watch,
// which outlives it) may hold the connection.
TEST(ServerDelivery, AConnectionEndedAfterADelayedAnswerIsClosedThoughItsClientStays) {
  configured_server server(hooked_config());
  raw_client c(server.port());
  c.send_all(get_request("/status/ok?mode=short", true));  // a 300 ms delay, then Connection: close
  EXPECT_EQ(testing::status_line_of(c.read_response(5s)), "HTTP/1.1 200 OK");
  auto stats = server.stats_when([](const nlohmann::json& s) { return s["connections"]["open"] == 1; });
  EXPECT_EQ(stats["connections"]["open"], 1) << "the ended connection is still open on the server";
  EXPECT_EQ(stats["requests"]["in_flight"], 0);
}

// A raw socket that can half-close (shutdown(SHUT_WR), as `nc -N` and HTTP/1.0 tools do).
class half_closing_client {
 public:
  explicit half_closing_client(unsigned short port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = fd_ >= 0 && ::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  }
  ~half_closing_client() {
    if (fd_ >= 0) ::close(fd_);
  }
  half_closing_client(const half_closing_client&) = delete;
  half_closing_client& operator=(const half_closing_client&) = delete;

  bool connected() const { return connected_; }
  bool send_and_half_close(std::string_view data) {
    return ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size()) &&
           ::shutdown(fd_, SHUT_WR) == 0;
  }
  // Everything the server sends until its FIN (true) or reset or timeout (false).
  bool read_to_end(std::chrono::milliseconds timeout, std::string& out) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (int round = 0; round < 100000; ++round) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left <= 0ms) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char chunk[4096];
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n == 0) return true;
      if (n < 0) return false;
      out.append(chunk, static_cast<std::size_t>(n));
    }
    return false;
  }

 private:
  int fd_;
  bool connected_ = false;
};

// The client is done sending, not gone: its answer still comes after the delay, then a close.
TEST(ServerDelivery, AHalfClosedClientStillGetsItsDelayedResponse) {
  configured_server server(hooked_config());
  for (const char* request : {"GET /status/ok?mode=short HTTP/1.0\r\nHost: t\r\n\r\n",
                              "GET /status/ok?mode=short HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"}) {
    half_closing_client c(server.port());
    ASSERT_TRUE(c.connected());
    ASSERT_TRUE(c.send_and_half_close(request));
    std::string got;
    EXPECT_TRUE(c.read_to_end(5s, got)) << request;  // the response, then the server's FIN
    EXPECT_EQ(testing::status_line_of(got).substr(9), "200 OK") << request;
    EXPECT_EQ(testing::body_of(got), ok_body) << request;
  }
  auto stats = server.stats_when([](const nlohmann::json& s) { return s["requests"]["in_flight"] == 0; });
  EXPECT_EQ(stats["requests"]["cancelled"], 0);
}

TEST(ServerDelivery, DescriptorsStayFlatOverManyCancelledDelays) {
  configured_server server(hooked_config());
  auto idle = [](const nlohmann::json& s) { return s["connections"]["open"] == 1; };
  server.stats_when(idle);
  std::size_t before = testing::open_fd_count();
  constexpr int cycles = 300;
  for (int i = 0; i < cycles; ++i) {
    raw_client c(server.port());
    c.send_all(get_request("/status/ok?mode=slow"));
  }
  auto stats = server.stats_when(
      [](const nlohmann::json& s) { return s["connections"]["open"] == 1 && s["requests"]["in_flight"] == 0; });
  // A client may leave before its request was even read, so cancelled counts at most every cycle.
  EXPECT_LE(stats["requests"]["cancelled"], cycles);
  EXPECT_EQ(stats["requests"]["in_flight"], 0);
  EXPECT_EQ(stats["connections"]["open"], 1);
  EXPECT_LE(testing::open_fd_count(), before + 2);
}

}  // namespace
}  // namespace serentak::server
