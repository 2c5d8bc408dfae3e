// The mock's rate-limit fault (`--fault ROUTE:limit=R/s`) on the real server with several I/O
// threads: a burst of 3R requests from several connections at once gets about R answers (R, plus
// what the bucket refills while the burst lasts) and 429 with Retry-After for the rest.
#include "server/http/mock_server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "scenario/builtin_scenarios.hpp"
#include "scenario/fault_spec.hpp"
#include "support/configured_server.hpp"
#include "support/raw_client.hpp"

namespace serentak::server {
namespace {

using namespace std::chrono_literals;

TEST(RateLimitFault, ABurstOfThreeRGetsAboutROksAndTheRest429WithRetryAfter) {
  constexpr int rate = 50;
  constexpr int connections = 6;
  constexpr int per_connection = 3 * rate / connections;  // 150 requests in all
  server_config config = testing::test_config();
  config.threads = 3;  // the bucket is shared by every I/O thread
  config.scenarios = builtin_scenarios();
  attach_faults(config.scenarios, {parse_fault_spec("/status/ok:limit=" + std::to_string(rate) + "/s")});
  testing::configured_server server(config);

  std::atomic<int> ok{0}, limited{0}, other{0}, bad_retry_after{0};
  auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> clients;
  for (int c = 0; c < connections; ++c) {
    clients.emplace_back([&] {
      testing::raw_client client(server.port());
      for (int i = 0; i < per_connection; ++i) {
        client.send_all("GET /status/ok HTTP/1.1\r\nHost: t\r\n\r\n");
        std::string response = client.read_response(10s);
        std::string status = testing::status_line_of(response);
        if (status == "HTTP/1.1 200 OK") {
          ++ok;
        } else if (status == "HTTP/1.1 429 Too Many Requests") {
          ++limited;
          if (testing::header_of(response, "Retry-After") != "1") ++bad_retry_after;
        } else {
          ++other;
        }
      }
    });
  }
  for (std::thread& t : clients) t.join();
  double burst_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(ok.load() + limited.load(), 3 * rate);
  // The bucket starts full (R) and refills at R a second while the burst lasts.
  EXPECT_GE(ok.load(), rate);
  EXPECT_LE(ok.load(), rate + static_cast<int>(rate * burst_s) + 1) << "burst took " << burst_s << " s";
  EXPECT_GT(limited.load(), 0);
  EXPECT_EQ(bad_retry_after.load(), 0) << "over a 1/R s wait, Retry-After is rounded up to 1";

  // Another route shares nothing with the limited one.
  testing::raw_client c(server.port());
  c.send_all("GET /status/slow HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(testing::status_line_of(c.read_response(10s)), "HTTP/1.1 200 OK");
  // The statistics count the refusals as the "limit" fault.
  auto stats = server.stats();
  EXPECT_NE(stats.dump().find("\"limit\""), std::string::npos) << stats.dump();
}

// limit=1e-10 (any rate above 0 is taken) once said "Retry-After: 18446744064486179580", a wait
// beyond the clock cast to an integer: the header is capped at a day, as retry-after= is.
TEST(RateLimitFault, AVanishingLimitSaysRetryAfterADayAtMostNeverAnOverflowedNumber) {
  server_config config = testing::test_config();
  config.scenarios = builtin_scenarios();
  attach_faults(config.scenarios, {parse_fault_spec("/status/ok:limit=1e-10")});
  testing::configured_server server(config);
  testing::raw_client client(server.port());
  client.send_all("GET /status/ok HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(testing::status_line_of(client.read_response(10s)), "HTTP/1.1 200 OK");  // the bucket starts with one
  client.send_all("GET /status/ok HTTP/1.1\r\nHost: t\r\n\r\n");
  std::string response = client.read_response(10s);
  EXPECT_EQ(testing::status_line_of(response), "HTTP/1.1 429 Too Many Requests");
  EXPECT_EQ(testing::header_of(response, "Retry-After"), "86400");
}

}  // namespace
}  // namespace serentak::server
