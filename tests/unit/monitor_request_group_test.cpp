#include "monitor/request_group.hpp"

#include <gtest/gtest.h>

#include "monitor/check_source.hpp"
#include "monitor/check_text.hpp"

namespace serentak::monitor {
namespace {

using namespace std::chrono_literals;

monitor_config load(std::string_view yaml) {
  auto r = parse_monitor_text(yaml, "m.yaml");
  EXPECT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors[0].render());
  return r.config;
}

TEST(request_group, endpoints_with_the_same_request_and_timeout_share_one_engine) {
  const monitor_config config = load(R"(defaults:
  headers: {User-Agent: probe}
endpoints:
  - {name: a, url: "http://127.0.0.1:1/a"}
  - {name: b, url: "http://127.0.0.1:1/b", method: POST, body: "{}"}
  - {name: c, url: "http://127.0.0.1:1/c"}
  - {name: d, url: "http://127.0.0.1:1/d", timeout: 2s}
  - {name: e, url: "http://127.0.0.1:1/e", method: POST, body: "{}"}
  - {name: f, url: "http://127.0.0.1:1/f", headers: {X-Key: k}}
)");
  const auto groups = group_by_request(config);
  ASSERT_EQ(groups.size(), 4u);
  EXPECT_EQ(groups[0].endpoints, (std::vector<std::size_t>{0, 2}));  // GETs with the defaults
  EXPECT_EQ(groups[1].endpoints, (std::vector<std::size_t>{1, 4}));  // the POSTs
  EXPECT_EQ(groups[2].endpoints, (std::vector<std::size_t>{3}));     // another timeout
  EXPECT_EQ(groups[3].endpoints, (std::vector<std::size_t>{5}));     // another header
  EXPECT_EQ(groups[1].method, "POST");
  EXPECT_EQ(groups[2].timeout, 2s);
}

TEST(request_group, a_group_keeps_the_headers_and_certificate_its_conditions_read_and_its_tls_settings) {
  const monitor_config config = load(R"yaml(endpoints:
  - {name: a, url: "https://127.0.0.1:1/a", conditions: ["[HEADER].Content-Type == pat(application/json*)"]}
  - {name: b, url: "https://127.0.0.1:1/b", conditions: ["[HEADER].content-type == x", "has([HEADER].X-Build) == true"]}
  - {name: c, url: "https://127.0.0.1:1/c", conditions: ["[CERTIFICATE_EXPIRATION] > 72h"]}
  - {name: d, url: "https://127.0.0.1:1/d", insecure: true}
  - {name: e, url: "http://127.0.0.1:1/e"}
)yaml");
  const auto groups = group_by_request(config);
  // The certificate reader is a group of its own (its requests handshake anew each time, which the
  // others must not pay for); insecure is another request.
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0].endpoints, (std::vector<std::size_t>{0, 1, 4}));
  EXPECT_EQ(groups[0].kept_headers, (std::vector<std::string>{"content-type", "x-build"}));  // once each
  EXPECT_FALSE(groups[0].want_certificate);
  EXPECT_EQ(groups[1].endpoints, (std::vector<std::size_t>{2}));
  EXPECT_TRUE(groups[1].want_certificate);
  EXPECT_TRUE(policy_for(groups[1], 1024).want_certificate);
  EXPECT_FALSE(groups[2].want_certificate);
  EXPECT_TRUE(groups[2].kept_headers.empty());
  const client::fetch_policy plain = policy_for(groups[0], 1024);
  EXPECT_EQ(plain.kept_headers, groups[0].kept_headers);
  EXPECT_FALSE(plain.want_certificate);
  EXPECT_FALSE(plain.connection.insecure);
  EXPECT_TRUE(policy_for(groups[2], 1024).connection.insecure);
}

TEST(request_group, a_body_holding_braces_is_sent_exactly_as_written) {
  const monitor_config config = load(R"(endpoints:
  - {name: a, url: "http://127.0.0.1:1/a", method: POST, body: '{"q": "{}"}', headers: {X-T: "{}"}}
)");
  const auto groups = group_by_request(config);
  const client::fetch_policy policy = policy_for(groups.at(0), 1024);
  std::string scratch;
  EXPECT_EQ(policy.request.body_for(literal_item, scratch), R"({"q": "{}"})");
  std::string block;
  policy.request.append_header_block(block, literal_item);
  EXPECT_NE(block.find("X-T: {}\r\n"), std::string::npos) << block;
  EXPECT_NE(block.find("User-Agent: serentak/"), std::string::npos) << "the default User-Agent stays: " << block;
  EXPECT_EQ(policy.request.method(), "POST");
}

TEST(check_source, hands_out_due_ticks_then_says_when_the_next_is_due_and_rechecks_go_first) {
  const monitor_config config = load(R"(endpoints:
  - {name: a, url: "http://127.0.0.1:1/a", interval: 1h}
  - {name: b, url: "http://127.0.0.1:1/b", interval: 1h}
)");
  // Started two hours ago: each endpoint's latest tick is due now; the earlier ones were missed.
  check_source source(config, {0, 1}, std::chrono::steady_clock::now() - 2h);
  auto first = source.next();
  auto second = source.next();
  ASSERT_TRUE(first && second);
  EXPECT_NE(first->index, second->index);
  EXPECT_EQ(first->item, "{}");
  EXPECT_FALSE(source.next()) << "both are running: nothing else is due";
  const auto due = source.next_due();
  ASSERT_TRUE(due.has_value()) << "a schedule is never exhausted";
  EXPECT_GT(*due, std::chrono::steady_clock::now()) << "the next ticks are an interval later";

  const check_ticket ticket = source.ticket(first->index);
  EXPECT_EQ(config.endpoints[ticket.endpoint].url, first->url);
  EXPECT_FALSE(ticket.recheck);
  EXPECT_LE(ticket.timing.due, ticket.timing.started);

  source.recheck(first->index);
  const auto recheck_due = *source.next_due();
  EXPECT_LE(recheck_due, std::chrono::steady_clock::now()) << "a re-check is due at once";
  auto again = source.next();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->index, first->index);
  EXPECT_TRUE(source.ticket(again->index).recheck);
  source.finish(first->index);
  source.finish(second->index);
  EXPECT_EQ(source.counters().rechecks, 1u);
  EXPECT_EQ(source.counters().started, 2u);
}

TEST(check_text, a_result_becomes_a_finished_check_and_failures_read_plainly) {
  client::fetch_result refused;
  refused.kind = outcome::connection_error;
  refused.error = "Couldn't connect to server";
  refused.latency = 300us;
  check_ticket ticket;
  const finished_check a = finished_check_of(refused, ticket);
  EXPECT_FALSE(a.result.connected);
  EXPECT_EQ(a.result.status, 0);
  EXPECT_EQ(a.attempts, 1);

  client::fetch_result bad;
  bad.kind = outcome::invalid_response;
  EXPECT_TRUE(finished_check_of(bad, ticket).result.connected) << "an unusable answer still connected";
  client::fetch_result served;
  served.kind = outcome::server_error;
  served.http_status = 503;
  EXPECT_TRUE(finished_check_of(served, ticket).result.connected);

  check_report report;
  report.verdict = check_verdict::fail;
  EXPECT_EQ(failure_text(report, refused), "Couldn't connect to server");
  report.evaluation.verdicts.push_back({false, "503", "[STATUS] (503) == 200"});
  EXPECT_EQ(failure_text(report, served), "[STATUS] (503) == 200");
  report.verdict = check_verdict::pass;
  EXPECT_EQ(failure_text(report, served), "");
}

}  // namespace
}  // namespace serentak::monitor
