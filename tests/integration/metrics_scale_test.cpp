// GET /metrics on `serentak serve` with a 10,000-route scenario (issue 14, item 7): scrapes run
// while a client keeps requesting, every request is answered, the counters never go backwards,
// and once the client stops they add up to exactly what it sent. A scrape reads the per-route
// counters without a lock (server_stats.hpp), and is rendered off the I/O threads, so requests are
// never held behind it; the cost of a scrape is measured in bench/metrics_scrape.sh, not here. The
// only time limits are hang guards.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/raw_client.hpp"
#include "support/serve_process.hpp"
#include "support/test_paths.hpp"

namespace serentak {
namespace {

using namespace std::chrono_literals;
using testing::raw_client;
using testing::serve_process;

constexpr int route_count = 10000;
constexpr int scrapes = 20;
constexpr long request_cap = 400000;  // a hang guard for the client's loop, never reached normally

std::string route_path(long n) { return "/r/" + std::to_string(n % route_count); }

// A scenario of route_count fixed routes, /r/0 .. /r/9999, each answering 200 at once.
std::string write_scenario(const testing::scratch_dir& dir) {
  std::string path = (dir.path() / "routes.json").string();
  std::ofstream out(path);
  out << R"({"name":"many","routes":[)";
  for (int i = 0; i < route_count; ++i) {
    out << (i == 0 ? "" : ",") << R"({"path":")" << route_path(i) << R"(","status":200,"body":{"n":)" << i << "}}";
  }
  out << "]}\n";
  return path;
}

using testing::get_request;

// What one /metrics body says about the /r/ routes.
struct route_totals {
  std::uint64_t requests = 0;   // serentak_requests_total over every /r/ route and status
  std::uint64_t durations = 0;  // serentak_request_duration_seconds_count over every /r/ route
  std::set<std::string> routes;
  bool in_flight_zero = false;
};

route_totals read_totals(const std::string& body) {
  route_totals t;
  std::istringstream lines(body);
  const std::string requests = "serentak_requests_total{route=\"/r/";
  const std::string durations = "serentak_request_duration_seconds_count{route=\"/r/";
  for (std::string line; std::getline(lines, line);) {
    if (line == "serentak_requests_in_flight 0") t.in_flight_zero = true;
    const bool is_requests = line.rfind(requests, 0) == 0;
    if (!is_requests && line.rfind(durations, 0) != 0) continue;
    const std::uint64_t value = std::stoull(line.substr(line.rfind(' ') + 1));
    if (is_requests) {
      t.requests += value;
      t.routes.insert(line.substr(0, line.find('"', requests.size())));
    } else {
      t.durations += value;
    }
  }
  return t;
}

// One GET /metrics on a fresh connection: the body, or "" if it did not come whole.
std::string scrape(unsigned short port) {
  raw_client c(port);
  if (!c.send_all(get_request("/metrics"))) return {};
  std::string response = c.read_response(60s);  // a hang guard: a scrape takes milliseconds
  if (testing::status_line_of(response) != "HTTP/1.1 200 OK") return {};
  return testing::body_of(response);
}

TEST(MetricsScale, ScrapesOfTenThousandRoutesNeverStallRequestsAndAddUpToWhatWasSent) {
  testing::scratch_dir dir;
  serve_process server({"--quiet", "--scenario", write_scenario(dir)});
  ASSERT_NE(server.port(), 0);

  std::atomic<long> sent{0};
  std::atomic<long> unanswered{0};
  std::atomic<bool> scraping_done{false};
  // Requests every route at least once, and goes on until the scrapes are over.
  std::thread client([&] {
    raw_client c(server.port());
    for (long n = 0; n < request_cap && (n < route_count || !scraping_done.load()); ++n) {
      sent.fetch_add(1);
      if (!c.send_all(get_request(route_path(n))) ||
          testing::status_line_of(c.read_response(30s)) != "HTTP/1.1 200 OK") {  // a hang guard
        unanswered.fetch_add(1);
        return;
      }
    }
  });

  std::uint64_t last_seen = 0;
  for (int i = 0; i < scrapes; ++i) {
    std::string body = scrape(server.port());
    if (body.empty()) {
      ADD_FAILURE() << "scrape " << i << " got no whole answer";
      break;  // and still join the client below
    }
    const long sent_by_now = sent.load();
    route_totals t = read_totals(body);
    EXPECT_GE(t.requests, last_seen) << "scrape " << i << ": a counter went backwards";
    EXPECT_LE(t.requests, static_cast<std::uint64_t>(sent_by_now)) << "scrape " << i;
    EXPECT_NE(body.find("# TYPE serentak_request_duration_seconds summary\n"), std::string::npos);
    last_seen = t.requests;
  }
  scraping_done = true;
  client.join();
  EXPECT_EQ(unanswered.load(), 0);
  ASSERT_GE(sent.load(), route_count);

  // A response can reach the client just before the server counts it: wait (bounded) for none in flight.
  route_totals last;
  for (int round = 0; round < 200; ++round) {
    last = read_totals(scrape(server.port()));
    if (last.in_flight_zero) break;  // then every finished request is in it (server_stats.hpp)
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(last.in_flight_zero);
  EXPECT_EQ(last.requests, static_cast<std::uint64_t>(sent.load()));
  EXPECT_EQ(last.durations, static_cast<std::uint64_t>(sent.load()));
  EXPECT_EQ(last.routes.size(), static_cast<std::size_t>(route_count));
}

// With one I/O thread, a scrape rendered on that thread would hold up every other connection until
// it is written. Rendered elsewhere, requests on another connection keep being answered while the
// scrape is outstanding: counted, not timed (a 10,000-route render takes tens of milliseconds, a
// request a fraction of one).
TEST(MetricsScale, RequestsAreAnsweredWhileAScrapeIsBeingRendered) {
  testing::scratch_dir dir;
  serve_process server({"--quiet", "--threads", "1", "--scenario", write_scenario(dir)});
  ASSERT_NE(server.port(), 0);

  // scrape_number: odd while a scrape is outstanding (sent, answer not yet read), even otherwise.
  std::atomic<long> scrape_number{0};
  std::atomic<long> overtaking{0};  // requests of the current scrape that overtook it
  std::atomic<bool> done{false};
  std::atomic<long> unanswered{0};
  // Every route requested once first, so a scrape renders all 10,000 routes' counters (4 MB of
  // text): long enough that many requests fit in it, however slow the build.
  {
    raw_client warm(server.port());
    for (long n = 0; n < route_count; ++n) {
      ASSERT_TRUE(warm.send_all(get_request(route_path(n))));
      ASSERT_EQ(testing::status_line_of(warm.read_response(30s)), "HTTP/1.1 200 OK");  // a hang guard
    }
  }
  std::thread client([&] {
    raw_client c(server.port());
    for (long n = 0; n < request_cap && !done.load(); ++n) {
      const long before = scrape_number.load();
      if (!c.send_all(get_request(route_path(n))) ||
          testing::status_line_of(c.read_response(30s)) != "HTTP/1.1 200 OK") {  // a hang guard
        unanswered.fetch_add(1);
        return;
      }
      // Sent after the scrape was sent and answered before its answer came: overtook the render.
      if (before % 2 == 1 && scrape_number.load() == before) overtaking.fetch_add(1);
    }
  });
  long most_overtaking = 0;  // the most requests that overtook one scrape
  for (int i = 0; i < scrapes && most_overtaking < 3; ++i) {
    raw_client c(server.port());
    overtaking = 0;
    scrape_number.fetch_add(1);
    ASSERT_TRUE(c.send_all(get_request("/metrics")));
    std::string response = c.read_response(60s);  // a hang guard
    scrape_number.fetch_add(1);
    most_overtaking = std::max(most_overtaking, overtaking.load());
    EXPECT_EQ(testing::status_line_of(response), "HTTP/1.1 200 OK") << "scrape " << i;
  }
  done = true;
  client.join();
  EXPECT_EQ(unanswered.load(), 0);
  // Rendered on the I/O thread, a scrape lets at most the request already in progress overtake it.
  EXPECT_GE(most_overtaking, 3) << "requests waited behind the scrapes' rendering";
}

}  // namespace
}  // namespace serentak
