// The mock server's limits against hostile or broken clients, over raw sockets: a malformed
// request line, a huge header, slowloris (a byte every 100 ms must not extend the request
// deadline), conflicting Content-Length and Transfer-Encoding (request smuggling), an endless
// chunk extension, and the maximum connection count.
#include "server/http/mock_server.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/configured_server.hpp"
#include "support/raw_client.hpp"

namespace serentak::server {
namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;
using testing::configured_server;
using testing::raw_client;

// Sends `request` and expects one response with `status_line`, then the server's close.
void expect_refused(unsigned short port, const std::string& request, const std::string& status_line) {
  raw_client c(port);
  c.send_all(request);
  std::string response = c.read_response(5s);
  EXPECT_EQ(testing::status_line_of(response), status_line) << request;
  EXPECT_EQ(testing::header_of(response, "connection"), "close") << request;
  EXPECT_NE(c.wait_for_end(5s), raw_client::end::open) << request;
}

TEST(ServerHardening, MalformedRequestLinesGet400AndAClose) {
  configured_server server(testing::test_config());
  for (const char* request : {"GARBAGE\r\n\r\n", "GET /status/ok HTTP/9.x\r\n\r\n", "GET  HTTP/1.1\r\n\r\n",
                              "GET /status/ok HTTP/1.1\r\nNo colon here\r\n\r\n"}) {
    expect_refused(server.port(), request, "HTTP/1.1 400 Bad Request");
  }
}

TEST(ServerHardening, AHeaderOverTheLimitGets431AndAClose) {
  configured_server server(testing::test_config());
  std::string request = "GET /status/ok HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n";
  expect_refused(server.port(), request, "HTTP/1.1 431 Request Header Fields Too Large");
}

TEST(ServerHardening, ContentLengthWithTransferEncodingIsRefusedInEveryOrder) {
  configured_server server(testing::test_config());
  const std::string line = "POST /status/ok HTTP/1.1\r\nHost: t\r\n";
  // Beast refuses the first two itself; the third (a non-chunked coding next to a length) it accepts.
  expect_refused(server.port(), line + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                 "HTTP/1.1 400 Bad Request");
  expect_refused(server.port(), line + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
                 "HTTP/1.1 400 Bad Request");
  expect_refused(server.port(), line + "Transfer-Encoding: gzip\r\nContent-Length: 5\r\n\r\nhello",
                 "HTTP/1.1 400 Bad Request");
  // A transfer coding that does not end in chunked leaves the body's length unknown.
  expect_refused(server.port(), line + "Transfer-Encoding: gzip\r\n\r\nhello", "HTTP/1.1 400 Bad Request");
  // Each alone is fine.
  raw_client c(server.port());
  c.send_all("GET /status/ok HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
  EXPECT_EQ(testing::status_line_of(c.read_response(5s)), "HTTP/1.1 200 OK");
  c.send_all("GET /status/ok HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_EQ(testing::status_line_of(c.read_response(5s)), "HTTP/1.1 200 OK");
}

// Beast 1.74 bounds neither a chunk extension nor the trailers: the read buffer's own limit must,
// or these bytes pile up in memory until the request timeout (30 s).
TEST(ServerHardening, AnEndlessChunkExtensionGets413AndACloseLongBeforeTheRequestTimeout) {
  server_config config = testing::test_config();
  config.request_timeout = 30s;
  configured_server server(config);
  auto started = steady::now();
  {
    raw_client c(server.port());
    c.send_all("POST /status/ok HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n1;");
    c.send_all(std::string(2 * 1024 * 1024, 'a'));  // 2 MiB of extension, no CRLF; drained after the answer
    std::string response = c.read_response(10s);
    EXPECT_EQ(testing::status_line_of(response), "HTTP/1.1 413 Payload Too Large");
    EXPECT_EQ(testing::header_of(response, "connection"), "close");
    EXPECT_EQ(c.wait_for_end(10s), raw_client::end::closed);  // FIN: the refusal was not reset away
  }
  EXPECT_LT(steady::now() - started, 10s);
  // The server keeps serving.
  raw_client next(server.port());
  next.send_all("GET /status/ok HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(testing::status_line_of(next.read_response(5s)), "HTTP/1.1 200 OK");
}

TEST(ServerHardening, SlowlorisCannotExtendTheRequestDeadlineByTricklingBytes) {
  server_config config = testing::test_config();
  config.request_timeout = 500ms;
  configured_server server(config);
  raw_client c(server.port());
  const std::string request = "GET /status/ok HTTP/1.1\r\nHost: t\r\nX-Slow: " + std::string(100, 'a') + "\r\n\r\n";
  // One byte every 100 ms would take over 13 s; the server must end it on its 500 ms deadline.
  auto started = steady::now();
  std::size_t sent = 0;
  for (; sent < request.size() && c.state() == raw_client::end::open; ++sent) {
    if (!c.send_all(request.substr(sent, 1))) break;
    c.receive(100ms);  // also notices the close
  }
  auto took = steady::now() - started;
  EXPECT_NE(c.wait_for_end(5s), raw_client::end::open);
  EXPECT_LT(sent, request.size()) << "the whole trickled request was accepted";
  EXPECT_LT(took, 5s);
  EXPECT_EQ(c.received().find("200 OK"), std::string::npos);
}

TEST(ServerHardening, BeyondMaxConnectionsNewConnectionsAreClosedAtOnce) {
  server_config config = testing::test_config();
  config.max_connections = 3;
  configured_server server(config);
  std::vector<std::unique_ptr<raw_client>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<raw_client>(server.port()));
    held.back()->send_all("GET /status/ok HTTP/1.1\r\nHost: t\r\n\r\n");
    ASSERT_FALSE(held.back()->read_response(5s).empty());  // served, and kept alive
  }
  raw_client extra(server.port());  // the kernel accepts it; the server closes it
  extra.send_all("GET /status/ok HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_NE(extra.wait_for_end(5s), raw_client::end::open);
  EXPECT_EQ(extra.received(), "");
  // The held connections still work, and once one closes a new one is served again.
  held[0]->send_all("GET /status/ok HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(testing::status_line_of(held[0]->read_response(5s)), "HTTP/1.1 200 OK");
  held.pop_back();
  std::string status;
  for (int round = 0; round < 50 && status.empty(); ++round) {  // until the server has seen the close
    raw_client again(server.port());
    again.send_all("GET /__serentak/stats HTTP/1.1\r\nHost: t\r\n\r\n");
    status = testing::status_line_of(again.read_response(2s));
    if (status.empty()) std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(status, "HTTP/1.1 200 OK");
}

TEST(ServerHardening, ZeroMaxConnectionsIsRefused) {
  server_config config = testing::test_config();
  config.max_connections = 0;
  config.port = 0;
  EXPECT_THROW(mock_server{config}, std::invalid_argument);
}

}  // namespace
}  // namespace serentak::server
