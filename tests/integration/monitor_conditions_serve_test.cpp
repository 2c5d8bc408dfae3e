// The conditions of docs/monitor.md's seed-story table, evaluated on real answers of `serentak serve`
// (the seed data, delays off), so the documented examples hold against the seed, not against a
// hand-written body. The check results are filled from raw HTTP responses: the engine adapter that
// will fill them in `serentak monitor` does not exist yet.

#include "monitor/condition.hpp"

#include <gtest/gtest.h>

#include <charconv>

#include "support/raw_client.hpp"
#include "support/serve_process.hpp"

namespace serentak::monitor {
namespace {

using namespace std::chrono_literals;

check_result get(unsigned short port, const std::string& target) {
  testing::raw_client client(port);
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.send_all("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
  const std::string response = client.read_response(10s);
  check_result r;
  r.response_time = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
  r.connected = true;
  const std::string status_line = testing::status_line_of(response);  // "HTTP/1.1 200 OK"
  if (status_line.size() >= 12) std::from_chars(status_line.data() + 9, status_line.data() + 12, r.status);
  const auto head_end = response.find("\r\n\r\n");
  std::size_t line = response.find("\r\n");
  while (line != std::string::npos && line < head_end) {
    const auto next = response.find("\r\n", line + 2);
    const std::string h = response.substr(line + 2, next - line - 2);
    if (auto colon = h.find(':'); colon != std::string::npos)
      r.headers.emplace_back(h.substr(0, colon), h.substr(colon + 1));
    line = next;
  }
  r.body = testing::body_of(response);
  return r;
}

condition_verdict check(const check_result& r, std::string_view text) {
  condition_error error;
  auto c = condition::compile(text, error);
  EXPECT_TRUE(c.has_value()) << error.render();
  check_input in(r, nullptr, std::chrono::steady_clock::now());
  return c->evaluate(in);
}

TEST(monitor_conditions_serve, the_seed_story_examples_hold_on_the_seed_servers_answers) {
  testing::serve_process server({"--delay-scale", "0", "--quiet", "--seed", "1"});
  ASSERT_NE(server.port(), 0);
  const auto port = server.port();

  auto weather = get(port, "/get_weather?city=Jakarta");
  EXPECT_TRUE(check(weather, "[STATUS] == 200").passed) << weather.body;
  EXPECT_TRUE(check(weather, "[BODY].temp_c < 40").passed) << weather.body;
  EXPECT_TRUE(check(weather, "[HEADER].content-type == pat(application/json*)").passed);

  auto books = get(port, "/check_book_status?isbn=978-0-26-110221-7");
  EXPECT_TRUE(check(books, "[BODY].status == any(Available, On Loan)").passed) << books.body;

  auto pizza = get(port, "/get_order_status?order_id=ORD-101");
  EXPECT_TRUE(check(pizza, "[BODY].status == any(Preparing, Baking, Out for Delivery, Delivered)").passed)
      << pizza.body;
  auto pizza_missing = get(port, "/get_order_status?order_id=ORD-999");
  auto v = check(pizza_missing, "[STATUS] == 200");
  EXPECT_FALSE(v.passed);
  EXPECT_EQ(v.seen, "404");
  EXPECT_TRUE(check(pizza_missing, "has([BODY].error) == true").passed) << pizza_missing.body;

  auto health = get(port, "/status/ok");
  EXPECT_TRUE(check(health, "[BODY].status == ok").passed) << health.body;
  auto health_error = get(port, "/status/error");
  auto e = check(health_error, "[BODY].status == ok");
  EXPECT_FALSE(e.passed);
  EXPECT_EQ(e.explained, "[BODY].status (error) == ok");

  auto profile = get(port, "/get_user_profile?user_id=1121");
  EXPECT_TRUE(check(profile, "len([BODY].username) > 0").passed) << profile.body;
  EXPECT_TRUE(check(profile, "[BODY].followers >= 0").passed) << profile.body;
}

}  // namespace
}  // namespace serentak::monitor
