// The mock server against hostile clients over raw sockets (docs/reliability.md, section 3): NUL
// bytes, a TLS ClientHello on the plain port, 2,000 headers, 1,000 requests pipelined in one write,
// clients that never read their responses, and 5,000 idle connections at once. Each test also
// checks that the server keeps serving everyone else.
#include "server/http/mock_server.hpp"

#include <gtest/gtest.h>

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "server/routes/response_plan.hpp"
#include "support/configured_server.hpp"
#include "support/loopback_sockets.hpp"
#include "support/raw_client.hpp"

namespace serentak::server {
namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;
using testing::configured_server;
using testing::connect_loopback;
using testing::ended_within;
using testing::open_file_limit;
using testing::owned_fds;
using testing::peak_rss_kib;
using testing::raw_client;
using testing::unsent_bytes_from_port;
using testing::wait_until_each_ended;

using testing::get_request;

// A new connection gets its answer: the server still serves everyone else.
void expect_served(unsigned short port) {
  raw_client c(port);
  c.send_all(get_request("/status/ok"));
  EXPECT_EQ(testing::status_line_of(c.read_response(10s)), "HTTP/1.1 200 OK");
}


// Only the stats request itself is open.
bool only_the_stats_connection(const nlohmann::json& stats) { return stats["connections"]["open"] == 1; }

// ---- raw descriptors ---------------------------------------------------------------------------------

// Sends a request with "Connection: close" on fd and reads to the end (bounded by 10 s): the
// response's status line, or "" if none came.
std::string status_on(int fd) {
  const std::string request = "GET /status/ok HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) return {};
  std::string got;
  auto deadline = steady::now() + 10s;
  char chunk[4096];
  while (steady::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) break;
    got.append(chunk, static_cast<std::size_t>(n));
  }
  return testing::status_line_of(got);
}

// Waits (bounded: 100 rounds, 50 ms apart) until no socket on the server's port holds unsent bytes.
std::uint64_t unsent_bytes_drained_from_port(unsigned short port) {
  std::uint64_t unsent = unsent_bytes_from_port(port);
  for (int round = 0; round < 100 && unsent > 0; ++round) {
    std::this_thread::sleep_for(50ms);
    unsent = unsent_bytes_from_port(port);
  }
  return unsent;
}

// ---- a TLS ClientHello ---------------------------------------------------------------------------

void put_big_endian(std::string& out, std::size_t value, int bytes) {
  for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) out.push_back(static_cast<char>((value >> shift) & 0xFF));
}

// `body` after its length in `bytes` bytes, as TLS encodes vectors.
std::string with_length(const std::string& body, int bytes) {
  std::string out;
  put_big_endian(out, body.size(), bytes);
  return out + body;
}

std::string tls_extension(std::uint16_t type, const std::string& data) {
  std::string out;
  put_big_endian(out, type, 2);
  return out + with_length(data, 2);
}

// The record a TLS 1.3 client sends first (RFC 8446 4.1.2), well formed: OpenSSL's s_server
// answers it with a ServerHello. It starts 0x16 0x03 0x01 (handshake record, TLS 1.0 on the wire).
std::string tls_client_hello() {
  using namespace std::string_literals;
  std::string hello = "\x03\x03"s;                               // legacy_version: TLS 1.2
  hello += std::string(32, '\x5A');                              // random
  hello += with_length(std::string(32, '\x3C'), 1);              // legacy_session_id
  hello += with_length("\x13\x01\x13\x02\x13\x03\xC0\x2F"s, 2);  // cipher suites
  hello += with_length("\x00"s, 1);                              // compression: none
  std::string extensions;
  extensions += tls_extension(0x0000, with_length("\x00"s + with_length("localhost", 2), 2));  // server_name
  extensions += tls_extension(0x000A, with_length("\x00\x1D"s, 2));                            // groups: x25519
  extensions += tls_extension(0x000D, with_length("\x04\x03\x08\x04\x04\x01"s, 2));            // signatures
  extensions += tls_extension(0x002B, with_length("\x03\x04\x03\x03"s, 1));                    // versions 1.3, 1.2
  extensions += tls_extension(0x0033, with_length("\x00\x1D"s + with_length(std::string(32, '\x09'), 2), 2));
  hello += with_length(extensions, 2);
  std::string handshake = "\x01"s + with_length(hello, 3);  // ClientHello
  return "\x16\x03\x01"s + with_length(handshake, 2);
}

// ---- NUL bytes ------------------------------------------------------------------------------------

TEST(ServerHostileInputs, NulBytesInTheRequestLineOrAHeaderGet400AndAClose) {
  using namespace std::string_literals;
  configured_server server(testing::test_config());
  raw_client bystander(server.port());  // a kept-alive client that was there before
  bystander.send_all(get_request("/status/ok"));
  ASSERT_EQ(testing::status_line_of(bystander.read_response(10s)), "HTTP/1.1 200 OK");

  const std::vector<std::string> requests = {
      "GET /status/\0ok HTTP/1.1\r\nHost: t\r\n\r\n"s,           // in the target
      "G\0T /status/ok HTTP/1.1\r\nHost: t\r\n\r\n"s,            // in the method
      "\0GET /status/ok HTTP/1.1\r\nHost: t\r\n\r\n"s,           // before the request
      "GET /status/ok HTTP/1.1\0\r\nHost: t\r\n\r\n"s,           // in the version
      "GET /status/ok HTTP/1.1\r\nHo\0st: t\r\n\r\n"s,           // in a header name
      "GET /status/ok HTTP/1.1\r\nHost: t\0u\r\n\r\n"s,          // in a header value
      "GET /status/ok HTTP/1.1\r\nX-A: \0\r\nHost: t\r\n\r\n"s,  // a header value that is only NUL
  };
  for (std::size_t i = 0; i < requests.size(); ++i) {
    raw_client c(server.port());
    c.send_all(requests[i]);
    std::string response = c.read_response(10s);
    EXPECT_EQ(testing::status_line_of(response), "HTTP/1.1 400 Bad Request") << "request " << i;
    EXPECT_EQ(testing::header_of(response, "connection"), "close") << "request " << i;
    EXPECT_EQ(response.find('\0'), std::string::npos) << "request " << i << ": a NUL came back";
    EXPECT_NE(c.wait_for_end(10s), raw_client::end::open) << "request " << i;
  }
  // Everyone else is still served: a new client, and the one that was already connected.
  expect_served(server.port());
  bystander.send_all(get_request("/status/ok"));
  EXPECT_EQ(testing::status_line_of(bystander.read_response(10s)), "HTTP/1.1 200 OK");
}

// ---- a TLS ClientHello on the plain port ------------------------------------------------------------

// 0x16 cannot begin a method (it is not a token character), so the parser refuses the request at
// its first byte: 400 and a close at once, without waiting for the rest of the record or for the
// request deadline. The client's TLS library then reports it as not TLS (OpenSSL: "wrong version
// number"), which tells its user more than a bare close would.
TEST(ServerHostileInputs, ATlsClientHelloOnThePlainPortGets400AndACloseAtOnce) {
  server_config config = testing::test_config();
  config.request_timeout = 60s;  // "at once" below is far below this
  configured_server server(config);
  const std::string hello = tls_client_hello();
  ASSERT_EQ(hello.substr(0, 3), std::string("\x16\x03\x01", 3));

  auto started = steady::now();
  {
    raw_client c(server.port());
    c.send_all(hello);  // the whole record, in one write
    std::string response = c.read_response(10s);
    EXPECT_EQ(testing::status_line_of(response), "HTTP/1.1 400 Bad Request");
    EXPECT_EQ(testing::header_of(response, "connection"), "close");
    EXPECT_EQ(c.wait_for_end(10s), raw_client::end::closed);  // FIN after the answer, not a reset
  }
  {
    raw_client c(server.port());
    c.send_all(hello.substr(0, 5));  // only the record header: the refusal does not wait for more
    EXPECT_EQ(testing::status_line_of(c.read_response(10s)), "HTTP/1.1 400 Bad Request");
    EXPECT_NE(c.wait_for_end(10s), raw_client::end::open);
  }
  EXPECT_LT(steady::now() - started, 20s);  // the request deadline (60 s) played no part
  expect_served(server.port());
}

// ---- 2,000 headers -----------------------------------------------------------------------------------

TEST(ServerHostileInputs, TwoThousandHeadersGet431AndACloseUnlessTheyFitTheHeaderLimit) {
  std::string request = "GET /status/ok HTTP/1.1\r\nHost: t\r\n";
  for (int i = 0; i < 2000; ++i) request += "X-H" + std::to_string(i) + ": v\r\n";
  request += "\r\n";
  ASSERT_GT(request.size(), 8u * 1024);
  {
    configured_server server(testing::test_config());  // the 8 KiB header limit
    raw_client c(server.port());
    c.send_all(request);
    std::string response = c.read_response(10s);
    EXPECT_EQ(testing::status_line_of(response), "HTTP/1.1 431 Request Header Fields Too Large");
    EXPECT_EQ(testing::header_of(response, "connection"), "close");
    EXPECT_NE(c.wait_for_end(10s), raw_client::end::open);
    expect_served(server.port());
  }
  // The limit is on bytes, not on the count: within a larger limit the same 2,000 are answered.
  server_config roomy = testing::test_config();
  roomy.header_limit_bytes = 64 * 1024;
  configured_server server(roomy);
  raw_client c(server.port());
  c.send_all(request);
  EXPECT_EQ(testing::status_line_of(c.read_response(10s)), "HTTP/1.1 200 OK");
}

// ---- 1,000 pipelined requests -------------------------------------------------------------------------

TEST(ServerHostileInputs, AThousandRequestsPipelinedInOneWriteAreAllAnsweredInOrder) {
  configured_server server(testing::test_config());
  constexpr int count = 1000;
  constexpr int first_id = 500000;  // no such profiles: each 404 names its own id
  std::string requests;
  for (int i = 0; i < count; ++i) requests += get_request("/get_user_profile?user_id=" + std::to_string(first_id + i));

  raw_client c(server.port());
  // One write of all 1,000, from a second thread while this one reads: the 1,000 answers may not
  // fit in the socket buffers, and a writer that does not read would then wait forever on a server
  // that (rightly) stops reading while its own writes are blocked. send_all only uses the socket.
  std::thread writer([&c, &requests] { c.send_all(requests); });
  int answered = 0;
  int out_of_order = 0;
  for (; answered < count; ++answered) {
    std::string response = c.read_response(20s);
    if (response.empty()) break;
    const std::string id = "'" + std::to_string(first_id + answered) + "'";
    if (testing::status_line_of(response) != "HTTP/1.1 404 Not Found" ||
        testing::body_of(response).find(id) == std::string::npos ||
        testing::header_of(response, "connection") == "close") {
      if (++out_of_order <= 3) ADD_FAILURE() << "answer " << answered << " is not for id " << id << ":\n" << response;
    }
  }
  writer.join();
  EXPECT_EQ(answered, count);
  EXPECT_EQ(out_of_order, 0);
  // The connection still works afterwards, and so does a new one.
  c.send_all(get_request("/status/ok"));
  EXPECT_EQ(testing::status_line_of(c.read_response(10s)), "HTTP/1.1 200 OK");
  expect_served(server.port());
}

// ---- a client that never reads -------------------------------------------------------------------

// The deadline on each response write (request_timeout, set before every write) is what ends a
// client that never reads; while its writes are blocked the server reads nothing more from it.
// It ends the connection with a reset: an orderly close would queue its FIN behind the unsent
// bytes, which a peer that never reads never receives, and the kernel would keep the closed
// socket and megabytes of send buffer for minutes (it did: 2.9 MB in FIN-WAIT-1 for this test).

// Memory is measured only without ASan: its allocator keeps freed blocks in quarantine (up to
// 256 MiB), so the process's peak grows with the number of requests served, not with what is held.
constexpr bool rss_is_meaningful =
#if defined(__SANITIZE_ADDRESS__)
    false;
#else
    true;
#endif

// Answers of 4 KiB to targets that ask for them ("pad=1"): the socket buffers (a few MB on
// loopback) fill after about a thousand answers rather than sixteen thousand, which keeps the test
// short under the sanitizers; the path through the session is the same.
void padded_on_request(std::string_view target, response_plan& plan) {
  if (target.find("pad=1") != std::string_view::npos) plan.body.assign(4096, 'p');
}

TEST(ServerHostileInputs, AClientPipeliningWithoutReadingIsNoLongerReadAndIsClosedOnTheWriteDeadline) {
  server_config config = testing::test_config();
  config.request_timeout = 2s;
  config.plan_hook = padded_on_request;
  configured_server server(config);
  const long peak_before_kib = peak_rss_kib();

  owned_fds fds;
  int fd = connect_loopback(server.port(), 4096);  // a small window: the answers back up soon
  ASSERT_GE(fd, 0);
  fds.add(fd);
  std::string batch;
  for (int i = 0; i < 1000; ++i) batch += get_request("/status/ok?pad=1");

  // Offer up to 256 MiB of pipelined requests, never reading an answer. A server that kept
  // reading (and queueing) would take it all; one that stops reading once its writes block leaves
  // the rest in the kernel's socket buffers, and the client's sends stop making progress.
  constexpr std::uint64_t offered_limit = 256ull << 20;
  std::uint64_t sent = 0;
  std::size_t offset = 0;  // into batch: the byte stream stays whole requests
  auto started = steady::now();
  auto last_progress = started;
  auto closed_at = steady::time_point::max();
  bool others_checked = false;
  while (sent < offered_limit && steady::now() - started < 120s) {
    ssize_t n = ::send(fd, batch.data() + offset, batch.size() - offset, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      sent += static_cast<std::uint64_t>(n);
      offset = (offset + static_cast<std::size_t>(n)) % batch.size();
      last_progress = steady::now();
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {  // EPIPE, ECONNRESET
      closed_at = steady::now();
      break;
    }
    pollfd p{fd, POLLOUT | POLLRDHUP, 0};
    if (::poll(&p, 1, 200) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0) {
      closed_at = steady::now();
      break;
    }
    if (!others_checked && steady::now() - last_progress > 500ms) {
      // Stuck on this connection's blocked writes, the server still answers a new client at once.
      others_checked = true;
      expect_served(server.port());
    }
  }
  ASSERT_NE(closed_at, steady::time_point::max()) << "still open after " << sent << " bytes were sent";
  EXPECT_TRUE(others_checked);
  EXPECT_LT(sent, 64ull << 20) << "the server kept reading a client that read nothing";
  // Closed on the write deadline: not before it (a slow reader gets its whole request_timeout),
  // and within it (plus slack) of the server's last read.
  EXPECT_GE(closed_at - started, config.request_timeout);
  EXPECT_LT(closed_at - last_progress, config.request_timeout + 5s);
  EXPECT_EQ(unsent_bytes_drained_from_port(server.port()), 0u) << "the kernel still holds answers for it";
  if (rss_is_meaningful) {
    EXPECT_LT(peak_rss_kib() - peak_before_kib, 64 * 1024);
  }
  fds.close_all();
  EXPECT_EQ(server.stats_when(only_the_stats_connection)["connections"]["open"], 1);
  expect_served(server.port());
}

// Sets a 128 MiB generated body on targets that ask for it ("huge=1").
void huge_on_request(std::string_view target, response_plan& plan) {
  if (target.find("huge=1") == std::string_view::npos) return;
  plan.how = delivery::huge;
  plan.huge_body_bytes = 128ull << 20;
}

TEST(ServerHostileInputs, AClientThatNeverReadsAHugeResponseIsClosedOnTheWriteDeadline) {
  server_config config = testing::test_config();
  config.request_timeout = 2s;
  config.plan_hook = huge_on_request;
  configured_server server(config);
  const long peak_before_kib = peak_rss_kib();

  owned_fds fds;
  int fd = connect_loopback(server.port(), 4096);
  ASSERT_GE(fd, 0);
  fds.add(fd);
  const std::string request = get_request("/status/ok?huge=1");
  auto started = steady::now();
  ASSERT_EQ(::send(fd, request.data(), request.size(), MSG_NOSIGNAL), static_cast<ssize_t>(request.size()));
  // Its writes blocked, the server still answers a new client at once.
  std::this_thread::sleep_for(300ms);
  ASSERT_FALSE(ended_within(fd, 0ms));
  expect_served(server.port());

  ASSERT_TRUE(ended_within(fd, config.request_timeout + 20s)) << "never closed";
  auto took = steady::now() - started;
  EXPECT_GE(took, config.request_timeout);
  EXPECT_LT(took, config.request_timeout + 10s);
  // A reset, after what its small receive buffer held: the rest of the body was dropped, and no
  // socket on the server's side keeps unsent bytes for it.
  ssize_t n = 0;
  char chunk[65536];
  for (int round = 0; round < 100000; ++round) {
    n = ::recv(fd, chunk, sizeof chunk, MSG_DONTWAIT);
    if (n <= 0) break;
  }
  EXPECT_TRUE(n < 0 && errno == ECONNRESET) << "recv: " << n << ", " << std::strerror(errno);
  EXPECT_EQ(unsent_bytes_drained_from_port(server.port()), 0u) << "the kernel still holds the body for it";
  if (rss_is_meaningful) {
    EXPECT_LT(peak_rss_kib() - peak_before_kib, 32 * 1024);
  }
  fds.close_all();
  auto stats = server.stats_when(only_the_stats_connection);
  EXPECT_EQ(stats["connections"]["open"], 1);
  EXPECT_EQ(stats["requests"]["cancelled"], 1);  // the huge one: never answered whole
  expect_served(server.port());
}

// ---- 5,000 idle connections ---------------------------------------------------------------------------

constexpr int idle_count = 5000;
// Both ends of every connection live in this process, plus the server's own and gtest's.
constexpr rlim_t descriptors_needed = 2 * idle_count + 512;

// Opens idle_count connections that send nothing; `opening` gets the time just before each
// connect (the server's idle clock for it starts later).
void open_idle_connections(unsigned short port, owned_fds& fds, std::vector<steady::time_point>& opening) {
  for (int i = 0; i < idle_count; ++i) {
    opening.push_back(steady::now());
    int fd = connect_loopback(port);
    ASSERT_GE(fd, 0) << "connection " << i << ": " << std::strerror(errno);
    fds.add(fd);
  }
}

// Waits (bounded) until this process's descriptors are back to at most `baseline` (+2 for a stats
// connection's both ends in passing); returns the last count.
std::size_t fds_back_to(std::size_t baseline) {
  std::size_t now = testing::open_fd_count();
  for (int round = 0; round < 200 && now > baseline + 2; ++round) {
    std::this_thread::sleep_for(50ms);
    now = testing::open_fd_count();
  }
  return now;
}

TEST(ServerHostileInputs, FiveThousandIdleConnectionsLeaveANewClientAnsweredPromptly) {
  open_file_limit limit(descriptors_needed);
  if (!limit.ok()) {
    GTEST_SKIP() << "needs " << descriptors_needed << " open files; the hard limit is " << limit.hard();
  }
  configured_server server(testing::test_config());  // idle_timeout 60 s: none times out here
  server.stats_when(only_the_stats_connection);
  const std::size_t baseline = testing::open_fd_count();

  owned_fds fds;
  std::vector<steady::time_point> opening;
  open_idle_connections(server.port(), fds, opening);
  auto stats = server.stats_when([](const nlohmann::json& s) { return s["connections"]["open"] == idle_count + 1; });
  ASSERT_EQ(stats["connections"]["open"], idle_count + 1) << "the server did not accept them all";

  // With all 5,000 open and idle, a new client is answered at once: an idle connection holds no
  // thread (a server with a thread per connection would keep it waiting for an idle timeout).
  auto asked = steady::now();
  expect_served(server.port());
  EXPECT_LT(steady::now() - asked, 5s);
  // The idle ones are still open and still work.
  EXPECT_FALSE(ended_within(fds.get().front(), 0ms));
  EXPECT_FALSE(ended_within(fds.get().back(), 0ms));
  EXPECT_EQ(status_on(fds.get().front()), "HTTP/1.1 200 OK");
  EXPECT_EQ(status_on(fds.get().back()), "HTTP/1.1 200 OK");

  // When they leave, the server lets go of every one.
  fds.close_all();
  EXPECT_EQ(server.stats_when(only_the_stats_connection)["connections"]["open"], 1);
  EXPECT_LE(fds_back_to(baseline), baseline + 2);
}

TEST(ServerHostileInputs, FiveThousandIdleConnectionsAreAllClosedOnTheIdleDeadline) {
  open_file_limit limit(descriptors_needed);
  if (!limit.ok()) {
    GTEST_SKIP() << "needs " << descriptors_needed << " open files; the hard limit is " << limit.hard();
  }
  server_config config = testing::test_config();
  config.idle_timeout = 1500ms;
  configured_server server(config);
  server.stats_when(only_the_stats_connection);
  const std::size_t baseline = testing::open_fd_count();

  owned_fds fds;
  std::vector<steady::time_point> opening;
  open_idle_connections(server.port(), fds, opening);
  const auto all_opened = steady::now();
  auto ended = wait_until_each_ended(fds.get(), all_opened + config.idle_timeout + 20s);

  int still_open = 0;
  int closed_early = 0;
  auto last_end = steady::time_point::min();
  for (std::size_t i = 0; i < ended.size(); ++i) {
    if (ended[i] == steady::time_point::max()) {
      ++still_open;
      continue;
    }
    if (ended[i] - opening[i] < config.idle_timeout) ++closed_early;
    last_end = std::max(last_end, ended[i]);
  }
  EXPECT_EQ(still_open, 0);
  EXPECT_EQ(closed_early, 0) << "closed before their idle deadline";
  // Every one by its deadline (the last opened's) plus slack for a loaded machine.
  EXPECT_LT(last_end - all_opened, config.idle_timeout + 10s);

  fds.close_all();
  EXPECT_EQ(server.stats_when(only_the_stats_connection)["connections"]["open"], 1);
  EXPECT_LE(fds_back_to(baseline), baseline + 2);
  expect_served(server.port());
}

}  // namespace
}  // namespace serentak::server
