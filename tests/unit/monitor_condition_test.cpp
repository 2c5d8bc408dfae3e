#include "monitor/condition.hpp"

#include <gtest/gtest.h>

#include "monitor/check_verdict.hpp"
#include "monitor/duration_text.hpp"

namespace serentak::monitor {
namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

condition compiled(std::string_view text) {
  condition_error error;
  auto c = condition::compile(text, error);
  EXPECT_TRUE(c.has_value()) << text << ": " << error.render();
  return c.value();
}

condition_error compile_error(std::string_view text) {
  condition_error error;
  auto c = condition::compile(text, error);
  EXPECT_FALSE(c.has_value()) << text;
  return error;
}

check_result ok_json(std::string body) {
  check_result r;
  r.status = 200;
  r.response_time = 120ms;
  r.body = std::move(body);
  r.connected = true;
  r.headers = {{"Content-Type", "application/json; charset=utf-8"}, {"X-Trace", "abc"}};
  return r;
}

condition_verdict run(std::string_view text, const check_result& r, const check_window* w = nullptr,
                      steady::time_point now = steady::time_point{}) {
  check_input in(r, w, now);
  return compiled(text).evaluate(in);
}

TEST(monitor_duration, parses_units_and_sums) {
  EXPECT_EQ(parse_duration("100ms"), 100ms);
  EXPECT_EQ(parse_duration("10s"), 10s);
  EXPECT_EQ(parse_duration("5m"), 5min);
  EXPECT_EQ(parse_duration("72h"), 72h);
  EXPECT_EQ(parse_duration("7d"), 168h);
  EXPECT_EQ(parse_duration("1h30m"), 90min);
  for (auto bad : {"", "10", "1.5s", "-1s", "5 m", "5x", "ms", "99999999999999999999d"}) {
    EXPECT_FALSE(parse_duration(bad).has_value()) << bad;
  }
  EXPECT_EQ(format_duration(90min), "1h30m");
  EXPECT_EQ(format_duration(100ms), "100ms");
  EXPECT_EQ(format_duration(0ms), "0s");
}

TEST(monitor_condition, status_comparisons) {
  check_result r = ok_json("{}");
  EXPECT_TRUE(run("[STATUS] == 200", r).passed);
  EXPECT_TRUE(run("[STATUS] < 500", r).passed);
  EXPECT_TRUE(run("[status]==200", r).passed) << "placeholders are case-insensitive, spaces optional";
  EXPECT_TRUE(run("[STATUS] == any(200, 201)", r).passed);
  r.status = 503;
  auto v = run("[STATUS] == 200", r);
  EXPECT_FALSE(v.passed);
  EXPECT_EQ(v.seen, "503");
  EXPECT_EQ(v.explained, "[STATUS] (503) == 200");
  EXPECT_FALSE(run("[STATUS] == any(200, 201)", r).passed);
  EXPECT_TRUE(run("[STATUS] != any(200, 201)", r).passed);
  EXPECT_TRUE(run("[STATUS] >= 500", r).passed);
  EXPECT_FALSE(run("[STATUS] <= 499", r).passed);
  EXPECT_TRUE(run("[STATUS] > 499", r).passed);
  EXPECT_TRUE(run("[STATUS] != 200", r).passed);
}

TEST(monitor_condition, response_time_in_milliseconds) {
  check_result r = ok_json("{}");
  EXPECT_TRUE(run("[RESPONSE_TIME] < 300", r).passed);
  r.response_time = 300500us;
  auto v = run("[RESPONSE_TIME] < 300", r);
  EXPECT_FALSE(v.passed);
  EXPECT_EQ(v.seen, "300.5");
  EXPECT_TRUE(run("[RESPONSE_TIME] < 1s", r).passed) << "a duration literal is milliseconds";
}

TEST(monitor_condition, body_paths) {
  check_result r = ok_json(R"({"status":"UP","items":[{"id":7},{"id":8}],"name":"Kota jakarta pusat","ok":true})");
  EXPECT_TRUE(run("[BODY].status == UP", r).passed);
  EXPECT_FALSE(run("[BODY].status == DOWN", r).passed);
  EXPECT_TRUE(run("[BODY].items[0].id == 7", r).passed);
  EXPECT_TRUE(run("[BODY].items[1].id == 8", r).passed);
  EXPECT_TRUE(run("len([BODY].items) > 0", r).passed);
  EXPECT_TRUE(run("len([BODY].items) == 2", r).passed);
  EXPECT_TRUE(run("has([BODY].error) == false", r).passed);
  EXPECT_TRUE(run("has([BODY].items) == true", r).passed);
  EXPECT_TRUE(run("[BODY].name == pat(*jakarta*)", r).passed);
  EXPECT_FALSE(run("[BODY].name == pat(*bandung*)", r).passed);
  EXPECT_TRUE(run("[BODY].ok == true", r).passed);
  auto missing = run("[BODY].items[5].id == 7", r);
  EXPECT_FALSE(missing.passed);
  EXPECT_EQ(missing.seen, "<missing: [BODY].items has 2 items>");
  EXPECT_FALSE(run("[BODY].nothing != 7", r).passed) << "a missing value satisfies no comparison, not even !=";
  EXPECT_EQ(run("[BODY].nothing == 1", r).seen, "<missing: no key 'nothing' in [BODY]>");
}

TEST(monitor_condition, body_with_spaces_in_the_literal) {
  check_result r = ok_json(R"({"status":"Out for Delivery"})");
  EXPECT_TRUE(run("[BODY].status == any(Baking, Out for Delivery, Delivered)", r).passed);
  EXPECT_TRUE(run("[BODY].status == Out for Delivery", r).passed);
}

TEST(monitor_condition, body_not_json_and_lazy_parsing) {
  check_result r = ok_json("plain text, not json");
  auto v = run("[BODY].status == UP", r);
  EXPECT_FALSE(v.passed);
  EXPECT_EQ(v.seen, "<missing: body is not JSON>");
  EXPECT_TRUE(run("[BODY] == pat(plain*)", r).passed);
  EXPECT_TRUE(run("has([BODY]) == true", r).passed);

  check_input in(r, nullptr, steady::time_point{});
  EXPECT_TRUE(compiled("[STATUS] == 200").evaluate(in).passed);
  EXPECT_FALSE(in.body_parsed()) << "no [BODY] read: the body is never parsed";
  EXPECT_FALSE(compiled("[STATUS] == 200").reads_body());
  EXPECT_TRUE(compiled("len([BODY].items) > 0").reads_body());
}

TEST(monitor_condition, headers_connected_certificate) {
  check_result r = ok_json("{}");
  EXPECT_TRUE(run("[HEADER].content-type == pat(application/json*)", r).passed);
  EXPECT_TRUE(run("[HEADER].X-TRACE == abc", r).passed) << "header names are case-insensitive";
  EXPECT_EQ(run("[HEADER].x-missing == abc", r).seen, "<missing: no header 'x-missing'>");
  EXPECT_TRUE(run("[CONNECTED] == true", r).passed);
  r.connected = false;
  EXPECT_FALSE(run("[CONNECTED] == true", r).passed);
  auto no_cert = run("[CERTIFICATE_EXPIRATION] > 72h", r);
  EXPECT_FALSE(no_cert.passed);
  EXPECT_EQ(no_cert.seen, "<missing: no certificate read (not https, or no TLS handshake completed)>");
  r.certificate_expires_in = 100h;
  EXPECT_TRUE(run("[CERTIFICATE_EXPIRATION] > 72h", r).passed);
  r.certificate_expires_in = 48h;
  auto soon = run("[CERTIFICATE_EXPIRATION] > 72h", r);
  EXPECT_FALSE(soon.passed);
  EXPECT_EQ(soon.explained, "[CERTIFICATE_EXPIRATION] (2d) > 72h");
}

TEST(monitor_condition, window_conditions_over_history) {
  const steady::time_point t0{std::chrono::hours{1}};
  check_window w(10min);
  // 100 checks a second apart: response times 1..100 ms, every 10th a 503.
  for (int i = 1; i <= 100; ++i) {
    w.add(check_sample{t0 + std::chrono::seconds(i), i % 10 == 0 ? 503 : 200, std::chrono::milliseconds(i), true});
  }
  const auto now = t0 + 100s;
  check_result r = ok_json("{}");
  auto p95 = run("p95([RESPONSE_TIME], 5m) < 300", r, &w, now);
  EXPECT_TRUE(p95.passed);
  EXPECT_EQ(p95.seen, "95");
  EXPECT_FALSE(run("p95([RESPONSE_TIME], 5m) < 90", r, &w, now).passed);
  // The last 30 s hold checks 70..100: p50 of 70..100 (31 values) is the 16th, 85.
  EXPECT_EQ(run("p50([RESPONSE_TIME], 30s) < 1", r, &w, now).seen, "85");
  auto ratio = run("ratio([STATUS] >= 500, 10m) < 0.01", r, &w, now);
  EXPECT_FALSE(ratio.passed);
  EXPECT_EQ(ratio.seen, "0.1");
  EXPECT_TRUE(run("ratio([STATUS] >= 500, 10m) <= 0.1", r, &w, now).passed);
  EXPECT_TRUE(compiled("ratio([STATUS] >= 500, 10m) < 0.01").is_window());
  EXPECT_EQ(compiled("ratio([STATUS] >= 500, 10m) < 0.01").window(), 10min);
  EXPECT_FALSE(run("p95([RESPONSE_TIME], 5m) < 300", r, nullptr, now).passed) << "no history: fails";
  EXPECT_EQ(run("p99.9([RESPONSE_TIME], 10m) < 1", r, &w, now).seen, "100");
  EXPECT_EQ(run("P100([RESPONSE_TIME], 10m) < 1", r, &w, now).seen, "100");
  for (auto bad : {"p0([RESPONSE_TIME], 5m) < 1", "p101([RESPONSE_TIME], 5m) < 1", "p95([STATUS], 5m) < 1",
                   "p95([RESPONSE_TIME]) < 1", "p95([RESPONSE_TIME], 0s) < 1"}) {
    condition_error error;
    EXPECT_FALSE(condition::compile(bad, error).has_value()) << bad;
  }
}

TEST(monitor_condition, evaluate_all_marks_window_only_failures) {
  const steady::time_point t0{std::chrono::hours{1}};
  check_window w(5min);
  w.add(check_sample{t0, 200, 900ms, true});
  check_result r = ok_json("{}");
  std::vector<condition> cs{compiled("[STATUS] == 200"), compiled("p95([RESPONSE_TIME], 5m) < 300")};
  check_input in(r, &w, t0);
  auto e = evaluate_all(cs, in);
  EXPECT_FALSE(e.passed);
  EXPECT_TRUE(e.only_window_failed);
  ASSERT_EQ(e.verdicts.size(), 2u);
  EXPECT_TRUE(e.verdicts[0].passed);
  EXPECT_EQ(e.verdicts[1].explained, "p95([RESPONSE_TIME], 5m) (900) < 300");
  EXPECT_EQ(longest_window(cs), 5min);
  r.status = 500;
  check_input in2(r, &w, t0);
  EXPECT_FALSE(evaluate_all(cs, in2).only_window_failed);
}

TEST(monitor_condition, syntax_errors_name_the_column_and_what_was_expected) {
  auto e = compile_error("[STATUS] 200");
  EXPECT_EQ(e.column, 10u);
  EXPECT_EQ(e.render(), "column 10: expected an operator (==, !=, <, <=, >, >=), found '2'");
  e = compile_error("[STATUS] ==");
  EXPECT_EQ(e.render(), "column 12: expected a value after '=='");
  e = compile_error("[STATS] == 200");
  EXPECT_EQ(e.column, 2u);
  EXPECT_NE(e.message.find("unknown placeholder [STATS]"), std::string::npos) << e.message;
  e = compile_error("len([BODY].items > 0");
  EXPECT_NE(e.message.find("expected ')' to close len("), std::string::npos) << e.message;
  e = compile_error("[STATUS] < any(200, 201)");
  EXPECT_EQ(e.column, 10u);
  e = compile_error("p95([RESPONSE_TIME], 5 minutes) < 300");
  EXPECT_EQ(e.column, 22u);
  EXPECT_NE(e.message.find("window duration"), std::string::npos);
  e = compile_error("ratio([BODY].x == 1, 5m) < 0.1");
  EXPECT_NE(e.message.find("ratio() can read only"), std::string::npos);
  e = compile_error("200 == 200");
  EXPECT_NE(e.message.find("must read something"), std::string::npos);
  e = compile_error("foo([STATUS]) == 1");
  EXPECT_EQ(e.column, 1u);
  EXPECT_NE(e.message.find("unknown function foo()"), std::string::npos);
  e = compile_error("[STATUS].code == 1");
  EXPECT_NE(e.message.find("has no fields"), std::string::npos);
  e = compile_error("[BODY].items[x] == 1");
  EXPECT_NE(e.message.find("array index"), std::string::npos);
  e = compile_error("[HEADER] == x");
  EXPECT_NE(e.message.find("expected .NAME after [HEADER]"), std::string::npos);
  e = compile_error("");
  EXPECT_EQ(e.column, 1u);
  e = compile_error("[STATUS] == any(200) x");
  EXPECT_EQ(e.render(), "column 22: unexpected 'x' after the condition");
}

TEST(monitor_condition, arbitrary_text_compiles_or_fails_with_a_column_inside_it) {
  // A bounded random walk over the language's own characters: no crash, no hang, and an error
  // column always within the text (or one past its end).
  constexpr std::string_view alphabet = "[]().,=!<> 0123456789abpnyhsmSTATUSBODYlenasratio*_-\"\t";
  std::uint64_t x = 42;
  for (int i = 0; i < 20000; ++i) {
    std::string text = i % 3 == 0 ? "[STATUS] == " : (i % 3 == 1 ? "ratio([STATUS] >= 500, " : "");
    const int n = static_cast<int>(x % 24);
    for (int k = 0; k < n; ++k) {
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      text += alphabet[(x >> 33) % alphabet.size()];
    }
    condition_error error;
    auto c = condition::compile(text, error);
    if (!c) {
      ASSERT_GE(error.column, 1u) << text;
      ASSERT_LE(error.column, text.size() + 1) << text;
      ASSERT_FALSE(error.message.empty()) << text;
    } else {
      check_result r = ok_json(R"({"a":[1,2]})");
      check_input in(r, nullptr, steady::time_point{});
      (void)c->evaluate(in);
    }
  }
  const std::string deep = std::string(100000, '(') + "[STATUS] == 1";
  condition_error error;
  EXPECT_FALSE(condition::compile(deep, error).has_value());
  std::string nested;
  for (int i = 0; i < 50000; ++i) nested += "ratio(";
  EXPECT_FALSE(condition::compile(nested + "[STATUS] == 1, 1m) < 1", error).has_value());
  EXPECT_NE(error.message.find("no window function inside it"), std::string::npos) << error.message;
}

TEST(monitor_condition, literal_on_the_left_and_values_as_text) {
  check_result r = ok_json(R"({"code":"007","v":"1e3"})");
  EXPECT_TRUE(run("200 == [STATUS]", r).passed);
  EXPECT_TRUE(run("[BODY].code == 7", r).passed) << "texts that read as numbers compare as numbers (Gatus does too)";
  EXPECT_TRUE(run("[BODY].v > 999", r).passed);
  EXPECT_FALSE(run("[BODY].code < abc", r).passed) << "ordering needs two numbers";
}

TEST(monitor_condition, pattern_matching) {
  EXPECT_TRUE(pattern_matches("*", ""));
  EXPECT_TRUE(pattern_matches("a*c", "abbbc"));
  EXPECT_TRUE(pattern_matches("application/json*", "application/json; charset=utf-8"));
  EXPECT_FALSE(pattern_matches("a*c", "abbbd"));
  EXPECT_TRUE(pattern_matches("*a*a*a*", "xaxaxa"));
  EXPECT_FALSE(pattern_matches("abc", "abcd"));
  EXPECT_TRUE(pattern_matches("", ""));
}

TEST(monitor_check_verdict, verdicts_and_failed_conditions_json) {
  std::vector<condition> cs{compiled("[STATUS] == 200"), compiled("[BODY].name == pat(*jakarta*)"),
                            compiled("p95([RESPONSE_TIME], 5m) < 300")};
  check_result r = ok_json("{\"name\":\"Bandung \\u0000\\\"x\"}");
  r.status = 503;
  check_window w(5min);
  w.add(sample_of(r, steady::time_point{}));
  EXPECT_EQ(w.samples().back().status, 503);
  check_input in(r, &w, steady::time_point{});
  auto e = evaluate_all(cs, in);
  EXPECT_EQ(verdict_of(cs, e, outcome::server_error, 1), check_verdict::fail);
  EXPECT_EQ(
      failed_conditions_json(cs, e),
      R"j([{"condition":"[STATUS] == 200","explained":"[STATUS] (503) == 200","seen":"503"},)j"
      R"j({"condition":"[BODY].name == pat(*jakarta*)","explained":"[BODY].name (Bandung \u0000\"x) == pat(*jakarta*)",)j"
      R"j("seen":"Bandung \u0000\"x"}])j");
  check_evaluation all_passed;
  EXPECT_EQ(verdict_of(cs, all_passed, outcome::ok, 1), check_verdict::pass);
  EXPECT_EQ(verdict_of(cs, all_passed, outcome::ok, 2), check_verdict::pass_after_retry);
  EXPECT_EQ(failed_conditions_json(cs, all_passed), "[]");
  check_evaluation window_only;
  window_only.passed = false;
  window_only.only_window_failed = true;
  EXPECT_EQ(verdict_of(cs, window_only, outcome::ok, 1), check_verdict::window_failed);
  // Without conditions, the outcome taxonomy decides.
  EXPECT_EQ(verdict_of({}, check_evaluation{}, outcome::ok, 1), check_verdict::pass);
  EXPECT_EQ(verdict_of({}, check_evaluation{}, outcome::timeout, 3), check_verdict::fail);
}

}  // namespace
}  // namespace serentak::monitor
