// dashboard_state (src/web): what an event stream gets next. A stream with no id, or another run's,
// gets a snapshot; one that is current gets nothing; one behind gets a delta with only the
// endpoints changed since, each once; one older than the delta ring gets a snapshot again. Also the
// pieces the routes lean on: the SVG badge's escaping, the token compare and the --web address.
#include "web/dashboard_state.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "monitor/history_store.hpp"
#include "support/test_paths.hpp"
#include "web/badge_svg.hpp"
#include "web/web_access.hpp"

namespace serentak::web {
namespace {

monitor::monitor_config three_endpoints() {
  monitor::monitor_config config;
  for (const char* name : {"a", "b", "c"}) {
    monitor::endpoint_config e;
    e.name = name;
    e.group = "g";
    e.url = "http://127.0.0.1:9/";
    config.endpoints.push_back(e);
  }
  return config;
}

void check(dashboard_state& state, const monitor::endpoint_config& endpoint, bool passed,
           monitor::health now = monitor::health::up) {
  monitor::check_record record;
  record.endpoint = endpoint.name;
  record.started = std::chrono::system_clock::now();
  record.duration = std::chrono::microseconds(1500);
  record.status = passed ? 200 : 500;
  record.outcome = passed ? "ok" : "server_error";
  record.passed = passed;
  record.failed_conditions = passed ? "[]" : R"([{"condition":"[STATUS] == 200","seen":"500"}])";
  monitor::health_state hs;
  hs.state = now;
  const std::string failure = passed ? "" : "[STATUS] (500) == 200";
  const monitor::health_decision decision;
  state.on_check(monitor::check_update{endpoint, record, hs, failure, decision});
}

std::vector<std::string> names_in(const dashboard_event& e) {
  std::vector<std::string> out;
  const nlohmann::json data = nlohmann::json::parse(e.data);  // named: a range over a temporary's member dangles
  for (const auto& ep : data["endpoints"]) out.push_back(ep["name"]);
  return out;
}

TEST(dashboard_state, restore_fills_the_uptimes_from_the_roll_ups_and_the_current_hours_checks) {
  testing::scratch_dir dir;
  monitor::history_store store((dir.path() / "history.db").string());
  const auto now = std::chrono::system_clock::now();
  const auto this_hour = monitor::hour_of(now);
  std::vector<monitor::check_record> written;
  auto add = [&](const std::string& name, monitor::wall_time at, bool passed) {
    monitor::check_record r;
    r.endpoint = name;
    r.due = at;
    r.started = at;
    r.duration = std::chrono::microseconds(1500);
    r.status = passed ? 200 : 500;
    r.outcome = passed ? "ok" : "server_error";
    r.passed = passed;
    r.failed_conditions = "[]";
    written.push_back(r);
  };
  // "a": 10 checks two hours ago (1 failed), 2 in the current hour (1 failed); "b": 4 two days ago;
  // "c" none.
  for (int i = 0; i < 10; ++i) add("a", this_hour - std::chrono::hours(2) + std::chrono::minutes(i), i != 0);
  add("a", this_hour, true);
  add("a", this_hour, false);
  for (int i = 0; i < 4; ++i) add("b", this_hour - std::chrono::hours(48) + std::chrono::minutes(i), true);
  store.write(written);

  const auto config = three_endpoints();
  dashboard_state state(config);
  state.restore(store, now);  // rolls up the closed hours, then reads every tally
  const nlohmann::json data = nlohmann::json::parse(state.snapshot_json());
  const auto& endpoints = data["endpoints"];
  ASSERT_EQ(endpoints.size(), 3u);
  EXPECT_NEAR(endpoints[0]["uptime"]["24h"].get<double>(), 10.0 / 12.0, 1e-6);
  EXPECT_NEAR(endpoints[0]["uptime"]["7d"].get<double>(), 10.0 / 12.0, 1e-6);
  EXPECT_TRUE(endpoints[1]["uptime"]["24h"].is_null()) << "b's checks are two days old";
  EXPECT_NEAR(endpoints[1]["uptime"]["7d"].get<double>(), 1.0, 1e-6);
  EXPECT_TRUE(endpoints[2]["uptime"]["30d"].is_null());
}

TEST(dashboard_state, no_cursor_or_another_runs_cursor_gets_a_snapshot_of_every_endpoint) {
  const auto config = three_endpoints();
  dashboard_state state(config);
  const dashboard_event first = state.since(std::nullopt);
  EXPECT_EQ(first.what, dashboard_event::kind::snapshot);
  EXPECT_EQ(names_in(first), (std::vector<std::string>{"a", "b", "c"}));
  const dashboard_event other = state.since(event_cursor{state.epoch() + 1, 0});
  EXPECT_EQ(other.what, dashboard_event::kind::snapshot);
}

TEST(dashboard_state, a_stream_behind_gets_only_the_changed_endpoints_once_and_a_current_one_nothing) {
  const auto config = three_endpoints();
  dashboard_state state(config);
  const event_cursor start = state.since(std::nullopt).cursor;
  EXPECT_EQ(state.since(start).what, dashboard_event::kind::none);
  check(state, config.endpoints[2], true);
  check(state, config.endpoints[0], false, monitor::health::down);
  check(state, config.endpoints[2], true);
  const dashboard_event delta = state.since(start);
  EXPECT_EQ(delta.what, dashboard_event::kind::delta);
  EXPECT_EQ(names_in(delta), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(delta.cursor.version, start.version + 3);
  const auto a = nlohmann::json::parse(delta.data)["endpoints"][0];
  EXPECT_EQ(a["state"], "down");
  EXPECT_EQ(a["failing"][0]["seen"], "500");
  EXPECT_EQ(a["uptime"]["24h"], 0.0);
  EXPECT_EQ(state.since(delta.cursor).what, dashboard_event::kind::none);
}

TEST(dashboard_state, a_cursor_older_than_the_ring_gets_a_snapshot) {
  const auto config = three_endpoints();
  dashboard_state state(config, /*delta_capacity=*/2);
  const event_cursor start = state.since(std::nullopt).cursor;
  for (int i = 0; i < 3; ++i) check(state, config.endpoints[1], true);
  EXPECT_EQ(state.since(start).what, dashboard_event::kind::snapshot);
  EXPECT_EQ(state.since(event_cursor{state.epoch(), 1}).what, dashboard_event::kind::delta);
}

TEST(dashboard_state, event_ids_round_trip_and_junk_is_no_cursor) {
  const event_cursor c{1733400000000, 42};
  EXPECT_EQ(parse_event_id(event_id(c))->version, 42u);
  EXPECT_FALSE(parse_event_id("42").has_value());
  EXPECT_FALSE(parse_event_id("a.b").has_value());
  EXPECT_FALSE(parse_event_id("").has_value());
}

TEST(dashboard_badge, names_are_xml_escaped) {
  const std::string svg = badge_svg("<script>&'\"", monitor::health::down, 0.5);
  EXPECT_NE(svg.find("&lt;script&gt;&amp;&#39;&quot;"), std::string::npos) << svg;
  EXPECT_EQ(svg.find("<script>"), std::string::npos);
  EXPECT_NE(svg.find("down 50.00%"), std::string::npos);
}

TEST(dashboard_access, tokens_compare_whole_and_addresses_parse) {
  EXPECT_TRUE(same_secret("abc", "abc"));
  EXPECT_FALSE(same_secret("abc", "abd"));
  EXPECT_FALSE(same_secret("abc", "ab"));
  EXPECT_FALSE(same_secret("", "a"));
  EXPECT_TRUE(authorized("t", "Bearer t", ""));
  EXPECT_TRUE(authorized("t", "", "token=t"));
  EXPECT_FALSE(authorized("t", "Bearer x", "token=x"));
  EXPECT_TRUE(authorized("", "", ""));
  EXPECT_EQ(parse_web_address("127.0.0.1:0")->port, 0);
  EXPECT_EQ(parse_web_address("[::1]:8080")->host, "::1");
  EXPECT_FALSE(parse_web_address("::1:8080").has_value());
  EXPECT_FALSE(parse_web_address("127.0.0.1").has_value());
  EXPECT_FALSE(parse_web_address("127.0.0.1:65536").has_value());
  EXPECT_FALSE(parse_web_address("example.com:80").has_value());
  EXPECT_TRUE(is_loopback("127.0.0.2"));
  EXPECT_TRUE(is_loopback("::1"));
  EXPECT_FALSE(is_loopback("0.0.0.0"));
  EXPECT_FALSE(is_loopback("::"));
}

// A theme run's picture (--every --web): endpoints appear as items first finish, ok is up and
// anything else down, a change is recorded, the body's scalar fields are kept (nested ones are not),
// the view is in every answer, and past the cap new items are not shown.
TEST(dashboard_state, theme_items_become_endpoints_with_fields_state_changes_and_a_cap) {
  dashboard_state state("pizza_board", "pizza", 2);
  const nlohmann::json body = {{"order_id", "ORD-101"}, {"status", "Baking"}, {"nested", {{"x", 1}}}, {"n", 3}};
  state.on_item({"ORD-101", outcome::ok, std::chrono::microseconds(2500), "ORD-101 Baking", &body});
  state.on_item({"ORD-999", outcome::not_found, std::chrono::microseconds(900), "not found", nullptr});
  state.on_item({"ORD-102", outcome::ok, std::chrono::microseconds(900), "over the cap", nullptr});
  state.on_item({"ORD-101", outcome::timeout, std::chrono::microseconds(5000), "timed out", nullptr});
  const nlohmann::json snap = nlohmann::json::parse(state.snapshot_json());
  EXPECT_EQ(snap["view"], "pizza_board");
  ASSERT_EQ(snap["endpoints"].size(), 2U) << snap.dump();
  const nlohmann::json& order = snap["endpoints"][0];
  EXPECT_EQ(order["name"], "ORD-101");
  EXPECT_EQ(order["group"], "pizza");
  EXPECT_EQ(order["state"], "down");
  EXPECT_EQ(order["message"], "timed out");
  EXPECT_EQ(order["checks"], 2);
  EXPECT_EQ(order["sparkline"].size(), 2U);
  EXPECT_EQ(order["fields"], nlohmann::json::object()) << "the last body's fields, none for a timeout";
  ASSERT_EQ(order["changes"].size(), 2U);
  EXPECT_EQ(order["changes"][1]["from"], "up");
  EXPECT_EQ(order["changes"][1]["to"], "down");
  EXPECT_EQ(snap["endpoints"][1]["state"], "down");
  EXPECT_FALSE(state.has("ORD-102"));
  EXPECT_TRUE(state.has("ORD-999"));
  EXPECT_EQ(state.version(), 3U);
  state.on_item({"ORD-101", outcome::ok, std::chrono::microseconds(2500), "ORD-101 Baking", &body});
  const nlohmann::json again = nlohmann::json::parse(state.snapshot_json());
  EXPECT_EQ(again["endpoints"][0]["fields"], (nlohmann::json{{"order_id", "ORD-101"}, {"status", "Baking"}, {"n", 3}}));

  const monitor::monitor_config config = three_endpoints();
  const dashboard_state monitor_state(config);
  EXPECT_EQ(nlohmann::json::parse(monitor_state.snapshot_json())["view"], "table");
}

}  // namespace
}  // namespace serentak::web
