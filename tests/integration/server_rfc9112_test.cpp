// RFC 9112 where the seed (Flask's development server) does not care, over raw sockets: an
// HTTP/1.1 request needs exactly one Host field (400 otherwise; HTTP/1.0 may omit it), and a
// request line longer than 8 KiB is 414, not 431 (docs/reliability.md, section 3).
#include "server/http/mock_server.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "support/configured_server.hpp"
#include "support/raw_client.hpp"

namespace serentak::server {
namespace {

using namespace std::chrono_literals;
using testing::configured_server;
using testing::raw_client;

std::string status_for(unsigned short port, const std::string& request) {
  raw_client c(port);
  c.send_all(request);
  return testing::status_line_of(c.read_response(10s));
}

TEST(ServerRfc9112, AnHttp11RequestWithoutHostIs400AndTheConnectionCloses) {
  configured_server server(testing::test_config());
  raw_client c(server.port());
  c.send_all("GET /status/ok HTTP/1.1\r\nAccept: */*\r\n\r\n");
  EXPECT_EQ(testing::status_line_of(c.read_response(10s)), "HTTP/1.1 400 Bad Request");
  EXPECT_NE(c.wait_for_end(10s), raw_client::end::open);
}

TEST(ServerRfc9112, AnHttp11RequestWithTwoHostFieldsIs400) {
  configured_server server(testing::test_config());
  EXPECT_EQ(status_for(server.port(), "GET /status/ok HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
            "HTTP/1.1 400 Bad Request");
  // Two equal values are still two fields.
  EXPECT_EQ(status_for(server.port(), "GET /status/ok HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n"),
            "HTTP/1.1 400 Bad Request");
}

TEST(ServerRfc9112, OneHostOrAnHttp10RequestWithoutOneIsServed) {
  configured_server server(testing::test_config());
  EXPECT_EQ(status_for(server.port(), "GET /status/ok HTTP/1.1\r\nHost: a\r\n\r\n"), "HTTP/1.1 200 OK");
  EXPECT_EQ(status_for(server.port(), "GET /status/ok HTTP/1.0\r\n\r\n"), "HTTP/1.0 200 OK");
}

TEST(ServerRfc9112, ATargetOverTheLimitIs414AndOneJustUnderIsRouted) {
  configured_server server(testing::test_config());
  // "GET " + target + " HTTP/1.1" is the request line; 8 KiB is its limit.
  std::string long_target = "/status/ok?pad=" + std::string(9000, 'a');
  raw_client c(server.port());
  c.send_all("GET " + long_target + " HTTP/1.1\r\nHost: a\r\n\r\n");
  std::string response = c.read_response(10s);
  EXPECT_EQ(testing::status_line_of(response), "HTTP/1.1 414 URI Too Long");
  EXPECT_NE(testing::body_of(response).find("414 Request URI Too Large"), std::string::npos) << response;

  // A target whose bytes never end in a CRLF (the head is cut at the limit) is still 414.
  raw_client endless(server.port());
  endless.send_all("GET /" + std::string(20000, 'b'));
  EXPECT_EQ(testing::status_line_of(endless.read_response(10s)), "HTTP/1.1 414 URI Too Long");

  // Under the limit, with the head still within the header limit: routed (the pad is ignored).
  std::string fits = "/status/ok?pad=" + std::string(7000, 'a');
  EXPECT_EQ(status_for(server.port(), "GET " + fits + " HTTP/1.1\r\nHost: a\r\n\r\n"), "HTTP/1.1 200 OK");

  // Large headers with a short target stay 431.
  std::string big_header = "X-Pad: " + std::string(9000, 'c') + "\r\n";
  EXPECT_EQ(status_for(server.port(), "GET /status/ok HTTP/1.1\r\nHost: a\r\n" + big_header + "\r\n"),
            "HTTP/1.1 431 Request Header Fields Too Large");
}

}  // namespace
}  // namespace serentak::server
