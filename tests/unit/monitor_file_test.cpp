#include "monitor/monitor_config.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "support/test_paths.hpp"

namespace serentak::monitor {
namespace {

using namespace std::chrono_literals;

monitor_file_result parse(std::string_view text) { return parse_monitor_text(text, "m.yaml"); }

std::vector<std::string> rendered(const monitor_file_result& r) {
  std::vector<std::string> out;
  for (const auto& e : r.errors) out.push_back(e.render());
  return out;
}

constexpr std::string_view full = R"(# five seed stories, one file
defaults:
  interval: 10s
  timeout: 2500ms
  headers:
    User-Agent: serentak-monitor
  conditions:
    - "[STATUS] == 200"
endpoints:
  - name: weather-jakarta
    group: weather
    url: http://127.0.0.1:5000/get_weather?city=Jakarta
    conditions:
      - "[STATUS] == 200"
      - "[BODY].temp_c < 40"
      - "p95([RESPONSE_TIME], 5m) < 300"
    jitter: 1s
    failure-threshold: 5
    success-threshold: 1
    confirm: 2
    alerts:
      - type: webhook
        url: http://127.0.0.1:9000/hook
        template: '{"text": "[ENDPOINT_NAME] is [STATE]"}'
        send-on-resolved: false
        min-realert: 30m
      - type: exec
        command: [/usr/bin/logger, -t, serentak]
        timeout: 3s
  - name: pizza-101
    group: pizza
    url: http://127.0.0.1:5000/get_order_status?order_id=ORD-101
    method: POST
    headers:
      Accept: application/json
    body: '{"probe": true}'
    interval: 100ms
)";

TEST(monitor_file, a_full_file_loads_with_defaults_merged) {
  auto r = parse(full);
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(rendered(r));
  ASSERT_EQ(r.config.endpoints.size(), 2u);
  const auto& w = r.config.endpoints[0];
  EXPECT_EQ(w.name, "weather-jakarta");
  EXPECT_EQ(w.group, "weather");
  EXPECT_EQ(w.method, "GET");
  EXPECT_EQ(w.interval, 10s);
  EXPECT_EQ(w.timeout, 2500ms);
  EXPECT_EQ(w.jitter, 1s);
  ASSERT_EQ(w.conditions.size(), 3u);
  EXPECT_EQ(w.conditions[1].text(), "[BODY].temp_c < 40");
  EXPECT_TRUE(w.conditions[2].is_window());
  EXPECT_EQ(w.policy.failure_threshold, 5);
  EXPECT_EQ(w.policy.success_threshold, 1);
  EXPECT_EQ(w.policy.confirm_checks, 2);
  ASSERT_EQ(w.alerts.size(), 2u);
  EXPECT_EQ(w.alerts[0].type, alert_config::kind::webhook);
  EXPECT_EQ(w.alerts[0].url, "http://127.0.0.1:9000/hook");
  EXPECT_FALSE(w.alerts[0].send_on_resolved);
  EXPECT_EQ(w.alerts[0].min_realert, 30min);
  EXPECT_EQ(w.alerts[1].type, alert_config::kind::exec);
  EXPECT_EQ(w.alerts[1].command, (std::vector<std::string>{"/usr/bin/logger", "-t", "serentak"}));
  EXPECT_EQ(w.alerts[1].timeout, 3s);
  EXPECT_EQ(w.where.line, 10);
  EXPECT_EQ(w.headers, (std::vector<std::pair<std::string, std::string>>{{"User-Agent", "serentak-monitor"}}));

  const auto& p = r.config.endpoints[1];
  EXPECT_EQ(p.method, "POST");
  EXPECT_EQ(p.body, R"({"probe": true})");
  EXPECT_EQ(p.interval, 100ms);
  EXPECT_EQ(p.timeout, 2500ms);
  ASSERT_EQ(p.conditions.size(), 1u) << "the defaults' conditions apply when an endpoint has none";
  EXPECT_EQ(p.conditions[0].text(), "[STATUS] == 200");
  EXPECT_EQ(p.policy.failure_threshold, 3);
  EXPECT_EQ(p.policy.success_threshold, 2);
  EXPECT_EQ(p.headers, (std::vector<std::pair<std::string, std::string>>{{"Accept", "application/json"},
                                                                         {"User-Agent", "serentak-monitor"}}));
  EXPECT_EQ(validate(p.plan()), "");
  EXPECT_EQ(p.plan().phase, p.plan().phase) << "the phase is a function of the name";
}

TEST(monitor_file, ca_file_must_be_readable_when_the_file_is_loaded_and_insecure_is_a_boolean) {
  const auto missing = parse(R"(endpoints:
  - name: a
    url: https://127.0.0.1:1/
    ca-file: /nonexistent/ca.pem
    insecure: maybe
)");
  EXPECT_EQ(rendered(missing), (std::vector<std::string>{
                                   "m.yaml:4:14: 'ca-file' '/nonexistent/ca.pem' cannot be read",
                                   "m.yaml:5:15: 'insecure' must be true or false, found 'maybe'"}));
  const std::string readable = (testing::source_dir() / "CMakeLists.txt").string();
  const auto ok = parse("defaults:\n  ca-file: " + readable + "\nendpoints:\n  - {name: a, url: \"https://x/\", insecure: true}\n");
  ASSERT_TRUE(ok.ok()) << rendered(ok)[0];
  EXPECT_EQ(ok.config.endpoints[0].ca_file, readable);
  EXPECT_TRUE(ok.config.endpoints[0].insecure);
}

TEST(monitor_file, json_is_accepted) {
  auto r = parse(R"({"endpoints": [{"name": "health-ok", "url": "http://127.0.0.1:5000/status/ok",
                     "interval": "1s", "conditions": ["[BODY].status == ok", "[STATUS] == 200"]}]})");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(rendered(r));
  ASSERT_EQ(r.config.endpoints.size(), 1u);
  EXPECT_EQ(r.config.endpoints[0].interval, 1s);
  EXPECT_EQ(r.config.endpoints[0].conditions.size(), 2u);
  auto bad = parse(R"({"endpoints": [{"name": "x", "url": "http://h/", "intervall": "1s"}]})");
  EXPECT_EQ(rendered(bad),
            (std::vector<std::string>{
                "m.yaml:1:50: unknown key 'intervall' in an endpoint; expected one of: name, group, url, "
                "method, headers, body, interval, timeout, jitter, conditions, failure-threshold, "
                "success-threshold, confirm, alerts, ca-file, insecure, retries"}));
}

TEST(monitor_file, a_port_out_of_range_is_an_error_at_its_line) {
  auto bad = parse(R"({"endpoints": [{"name": "x", "url": "http://127.0.0.1:99999/"}]})");
  EXPECT_EQ(rendered(bad), (std::vector<std::string>{"m.yaml:1:37: 'url': the port '99999' is not 1 to 65535"}));
}

TEST(monitor_file, every_error_is_reported_with_line_and_column) {
  auto r = parse(R"(endpoints:
  - name: a
    url: http://127.0.0.1:5000/a
    interval: 50ms
    intervall: 10s
    timeout: 10
    conditions:
      - "[STATUS] 200"
  - name: a
    url: ftp://example/
    failure-threshold: 0
    jitter: 1m
  - url: http://127.0.0.1/
    alerts:
      - type: webhook
        template: '{"text": "[ENDPOINT] down"}'
      - type: pager
)");
  EXPECT_EQ(rendered(r),
            (std::vector<std::string>{
                "m.yaml:4:15: 'interval' 50ms is below the minimum of 100ms",
                "m.yaml:5:5: unknown key 'intervall' in an endpoint; expected one of: name, group, url, "
                "method, headers, body, interval, timeout, jitter, conditions, failure-threshold, "
                "success-threshold, confirm, alerts, ca-file, insecure, retries",
                "m.yaml:6:14: 'timeout' must be a duration with a unit (100ms, 10s, 5m, 2h, 7d), found '10'",
                "m.yaml:8:9: condition '[STATUS] 200': column 10: expected an operator (==, !=, <, <=, >, >=), "
                "found '2'",
                "m.yaml:9:11: duplicate endpoint name 'a' (first at line 2)",
                "m.yaml:10:10: 'url' must be an http:// or https:// URL without spaces, found 'ftp://example/'",
                "m.yaml:11:24: 'failure-threshold' must be a whole number from 1 to 1000, found '0'",
                "m.yaml:12:13: 'jitter' 1m is more than half the interval 1m",
                "m.yaml:13:5: an endpoint needs 'name'",
                "m.yaml:15:9: a webhook alert needs 'url'",
                "m.yaml:16:19: unknown placeholder [ENDPOINT] in the alert template; expected one of: "
                "[ENDPOINT_NAME], [ENDPOINT_GROUP], [ENDPOINT_URL], [STATE], [PREVIOUS_STATE], "
                "[FAILED_CONDITIONS], [ALERT_TRIGGERED_OR_RESOLVED]",
                "m.yaml:17:15: alert 'type' must be webhook or exec, found 'pager'",
            }));
}

TEST(monitor_file, structure_errors) {
  EXPECT_EQ(rendered(parse("")),
            (std::vector<std::string>{"m.yaml:1:1: expected a map with 'endpoints:' at the top, found nothing"}));
  EXPECT_EQ(rendered(parse("endpoints: []\n")),
            (std::vector<std::string>{"m.yaml:1:12: 'endpoints' must be a non-empty list of endpoints"}));
  EXPECT_EQ(rendered(parse("endpoint:\n  - name: a\n")).front(),
            "m.yaml:1:1: unknown key 'endpoint' in the top level; expected one of: defaults, endpoints");
  auto yaml = rendered(parse("endpoints:\n  - name: [a\n"));
  ASSERT_EQ(yaml.size(), 1u);
  EXPECT_EQ(yaml[0].rfind("m.yaml:3:1: not valid YAML: ", 0), 0u) << yaml[0];
  EXPECT_EQ(rendered(parse("endpoints:\n  - name: a\n    name: b\n    url: http://h/\n")),
            (std::vector<std::string>{"m.yaml:3:5: duplicate key 'name' in an endpoint"}));
  EXPECT_EQ(
      rendered(parse("endpoints:\n  - name: a\n    url: http://h/\n    headers:\n      X-A: \"1\\r\\nX-B: 2\"\n")),
      (std::vector<std::string>{"m.yaml:5:12: the value of header 'X-A' must not contain line breaks"}));
  EXPECT_EQ(rendered(parse("endpoints:\n  - name: a\n    url: http://h/\n    method: get\n")),
            (std::vector<std::string>{
                "m.yaml:4:13: 'method' must be an HTTP method in capitals (GET, POST, ...), found 'get'"}));
  EXPECT_EQ(
      rendered(parse(
          "endpoints:\n  - name: a\n    url: http://h/\n    alerts:\n      - type: exec\n        url: http://h/\n")),
      (std::vector<std::string>{"m.yaml:5:9: an exec alert needs 'command'",
                                "m.yaml:6:14: 'url' belongs to webhook alerts, not exec"}));
}

// A control character other than CR, LF or NUL in a header value loaded, and request_shape then
// refused it: the monitor died after its banner (naming -H), or at a SIGHUP reload.
TEST(monitor_file, a_control_character_in_a_header_value_is_an_error_at_its_line) {
  for (const char* value : {"\\x01", "a\\eb", "\\x7F"}) {
    auto bad =
        parse(std::string("endpoints:\n  - name: a\n    url: http://h/\n    headers:\n      X-A: \"") + value + "\"\n");
    EXPECT_EQ(rendered(bad),
              (std::vector<std::string>{"m.yaml:5:12: the value of header 'X-A' must not contain a control character"}))
        << value;
  }
  EXPECT_TRUE(parse("endpoints:\n  - name: a\n    url: http://h/\n    headers:\n      X-A: \"a\\tb\"\n").ok());
}

TEST(monitor_file, the_example_in_docs_monitor_md_loads) {
  std::ifstream in(testing::source_dir() / "docs" / "monitor.md");
  ASSERT_TRUE(in.good());
  std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto start = doc.find("```yaml\n");
  ASSERT_NE(start, std::string::npos);
  const auto end = doc.find("```", start + 8);
  auto r = parse(std::string_view(doc).substr(start + 8, end - start - 8));
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(rendered(r));
  EXPECT_EQ(r.config.endpoints.size(), 1u);
  EXPECT_EQ(r.config.endpoints[0].alerts.size(), 2u);
}

TEST(monitor_file, hostile_files_give_one_clear_error_not_a_crash) {
  // Deep nesting: yaml-cpp's depth guard ends it.
  auto deep = rendered(parse("endpoints: " + std::string(100000, '[')));
  ASSERT_EQ(deep.size(), 1u);
  EXPECT_EQ(deep[0].rfind("m.yaml:1:", 0), 0u) << deep[0];
  EXPECT_NE(deep[0].find("not valid YAML"), std::string::npos) << deep[0];
  // A key with a control character is shown escaped (YAML's "\\xff" is U+00FF, valid UTF-8).
  auto odd = rendered(parse("endpoints:\n  - name: a\n    url: http://h/\n    \"x\\e[31m\\xff\": 1\n"));
  ASSERT_EQ(odd.size(), 1u);
  EXPECT_NE(odd[0].find("unknown key 'x\\x1B[31m\u00ff'"), std::string::npos) << odd[0];
  // A condition's error quotes the condition's text: escaped too.
  auto cond = rendered(parse("endpoints:\n  - name: a\n    url: http://h/\n    conditions: [\"[ST\\nATUS] == 1\"]\n"));
  ASSERT_EQ(cond.size(), 1u);
  EXPECT_EQ(cond[0].find('\n'), std::string::npos) << cond[0];
  EXPECT_NE(cond[0].find("unknown placeholder [ST\\nATUS]"), std::string::npos) << cond[0];
  // Aliases are references in yaml-cpp, not copies: a "billion laughs" file stays small, and
  // reusing one endpoint under an alias is a duplicate name.
  auto alias = rendered(parse("endpoints:\n  - &e {name: a, url: 'http://h/'}\n  - *e\n"));
  ASSERT_EQ(alias.size(), 1u);
  EXPECT_NE(alias[0].find("duplicate endpoint name 'a'"), std::string::npos) << alias[0];
  std::string laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    laughs += std::string(1, c) + ": &" + c + " [*" + static_cast<char>(c - 1);
    for (int i = 0; i < 9; ++i) laughs += std::string(", *") + static_cast<char>(c - 1);
    laughs += "]\n";
  }
  auto bomb = rendered(parse(laughs + "endpoints: [{name: a, url: 'http://h/', conditions: *j}]\n"));
  ASSERT_FALSE(bomb.empty());
  EXPECT_NE(bomb[0].find("unknown key 'a' in the top level"), std::string::npos) << bomb[0];
}

TEST(monitor_file, loads_from_disk_and_names_the_file) {
  testing::scratch_dir dir;
  const auto path = (dir.path() / "services.yaml").string();
  {
    std::ofstream out(path);
    out << "endpoints:\n  - name: books\n    url: http://127.0.0.1:5000/check_book_status?isbn=978-0-26-110221-7\n"
           "    conditions: [\"[BODY].status == any(Available, On Loan)\"]\n";
  }
  auto r = load_monitor_file(path);
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(rendered(r));
  EXPECT_EQ(r.config.file, path);
  auto missing = load_monitor_file((dir.path() / "nope.yaml").string());
  ASSERT_EQ(missing.errors.size(), 1u);
  EXPECT_EQ(missing.errors[0].render(),
            (dir.path() / "nope.yaml").string() + ": cannot be read: No such file or directory");
  auto folder = load_monitor_file(dir.path().string());
  ASSERT_EQ(folder.errors.size(), 1u);
  EXPECT_EQ(folder.errors[0].render(), dir.path().string() + ": is a directory");
  auto endless = load_monitor_file("/dev/zero");
  ASSERT_EQ(endless.errors.size(), 1u);
  EXPECT_EQ(endless.errors[0].render(), "/dev/zero: is over 16 MiB");
}

}  // namespace
}  // namespace serentak::monitor
