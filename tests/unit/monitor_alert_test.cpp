#include "monitor/alert_message.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace serentak::monitor {
namespace {

using namespace std::chrono_literals;

const wall_time w0{std::chrono::seconds{1796428800}};  // 2026-12-05T00:00:00Z

alert_event change(health from, health to, wall_time at = w0) {
  return alert_event{"pizza-101", "pizza", "http://127.0.0.1:5000/get_order_status?order_id=ORD-101",
                     from,        to,      "[STATUS] (503) == 200",
                     at};
}

TEST(monitor_alert, triggered_and_resolved) {
  EXPECT_TRUE(change(health::up, health::down).triggered());
  EXPECT_TRUE(change(health::up, health::degraded).triggered());
  EXPECT_TRUE(change(health::degraded, health::down).triggered());
  EXPECT_TRUE(change(health::unknown, health::down).triggered());
  EXPECT_FALSE(change(health::down, health::degraded).triggered()) << "getting better is not a trigger";
  EXPECT_TRUE(change(health::down, health::up).resolved());
  EXPECT_TRUE(change(health::degraded, health::up).resolved());
  EXPECT_FALSE(change(health::unknown, health::up).resolved());
  EXPECT_FALSE(change(health::unknown, health::up).triggered());
}

TEST(monitor_alert, template_values_are_json_escaped_so_server_text_cannot_forge_fields) {
  alert_config a;
  a.body_template =
      R"({"text": "[ENDPOINT_NAME] is [STATE] (was [PREVIOUS_STATE]): [FAILED_CONDITIONS]", "kind": "[ALERT_TRIGGERED_OR_RESOLVED]"})";
  alert_event e = change(health::up, health::down);
  e.failed_conditions = "[BODY].status (\", \"admin\": \"true) == ok\nline two";
  const std::string body = render_webhook_body(a, e);
  auto parsed = nlohmann::json::parse(body, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << body;
  EXPECT_EQ(parsed.size(), 2u) << "no injected field";
  EXPECT_EQ(parsed["text"], "pizza-101 is down (was up): [BODY].status (\", \"admin\": \"true) == ok\nline two");
  EXPECT_EQ(parsed["kind"], "TRIGGERED");
  a.body_template = "[ENDPOINT_URL] [FAILED_CONDITIONS]";
  e.failed_conditions = "[STATE]";
  EXPECT_EQ(render_webhook_body(a, e), "http://127.0.0.1:5000/get_order_status?order_id=ORD-101 [STATE]")
      << "a value is never scanned for placeholders";
}

TEST(monitor_alert, the_default_body_and_the_exec_json) {
  alert_config a;
  const std::string body = render_webhook_body(a, change(health::down, health::up, w0 + 90s));
  EXPECT_EQ(body, alert_json(change(health::down, health::up, w0 + 90s)));
  EXPECT_EQ(
      body,
      R"({"endpoint":"pizza-101","group":"pizza","url":"http://127.0.0.1:5000/get_order_status?order_id=ORD-101",)"
      R"("state":"up","previous_state":"down","event":"RESOLVED","failed_conditions":"[STATUS] (503) == 200",)"
      R"("at":"2026-12-05T00:01:30Z"})");
}

TEST(monitor_alert, the_gate_applies_min_realert_and_send_on_resolved) {
  alert_config a;
  a.min_realert = 30min;
  alert_gate g;
  EXPECT_FALSE(g.should_send(a, change(health::down, health::up, w0))) << "nothing to resolve yet";
  EXPECT_TRUE(g.should_send(a, change(health::up, health::down, w0)));
  EXPECT_TRUE(g.should_send(a, change(health::down, health::up, w0 + 1min)));
  EXPECT_FALSE(g.should_send(a, change(health::up, health::down, w0 + 2min))) << "flapping: within 30 min";
  EXPECT_FALSE(g.should_send(a, change(health::down, health::up, w0 + 3min))) << "its trigger was not sent";
  EXPECT_TRUE(g.should_send(a, change(health::up, health::down, w0 + 40min)));
  a.send_on_resolved = false;
  EXPECT_FALSE(g.should_send(a, change(health::down, health::up, w0 + 41min)));
}

}  // namespace
}  // namespace serentak::monitor
