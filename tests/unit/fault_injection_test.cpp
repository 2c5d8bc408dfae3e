// Faults: the --fault spec grammar, which requests a rule hits (a share of them, seeded; one item;
// some attempts), the bounded attempt counter, and the plan each fault kind turns an answer into.
#include "server/faults/route_faults.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "scenario/builtin_scenarios.hpp"
#include "scenario/fault_spec.hpp"
#include "scenario/scenario_file.hpp"
#include "server/routes/router.hpp"
#include "support/refusal_text.hpp"

namespace serentak::server {
namespace {

std::vector<scenario> with_faults(std::vector<std::string> specs, std::vector<scenario> base = builtin_scenarios()) {
  std::vector<fault_option> options;
  for (const std::string& spec : specs) options.push_back(parse_fault_spec(spec));
  attach_faults(base, options);
  return base;
}

std::string spec_error(std::string_view spec) {
  return testing::refusal_text([&] { parse_fault_spec(spec); }, "(accepted)");
}

TEST(FaultSpec, ParsesTheIssuesExample) {
  fault_option f = parse_fault_spec("profiles:user_id=1121:attempt=1:503:retry-after=1");
  EXPECT_EQ(f.route, "profiles");
  EXPECT_EQ(f.param, "user_id");
  EXPECT_EQ(f.rule.kind, fault_kind::status);
  EXPECT_EQ(f.rule.status, 503);
  EXPECT_EQ(f.rule.item, "1121");
  EXPECT_EQ(f.rule.attempt_min, 1u);
  EXPECT_EQ(f.rule.attempt_max, 1u);
  EXPECT_EQ(f.rule.retry_after_s, 1u);
  EXPECT_EQ(f.rule.share, 1.0);
}

TEST(FaultSpec, ParsesSharesKindsSizesAndBodies) {
  fault_option reset = parse_fault_spec("/get_weather:5%:reset");
  EXPECT_EQ(reset.route, "/get_weather");
  EXPECT_DOUBLE_EQ(reset.rule.share, 0.05);
  EXPECT_EQ(reset.rule.kind, fault_kind::reset);
  EXPECT_EQ(parse_fault_spec("/a:drip=64k").rule.bytes_per_second, 65536u);
  EXPECT_EQ(parse_fault_spec("/a:huge=10M").rule.bytes, 10u << 20);
  EXPECT_EQ(parse_fault_spec("/a:attempt=2-3:malformed-json").rule.attempt_max, 3u);
  EXPECT_EQ(parse_fault_spec("/a:item=a%3Ab:hang").rule.item, "a:b");
  fault_option body = parse_fault_spec("/a:share=0.5:500:body={\"a\":\"x:y\"}");
  EXPECT_EQ(body.rule.body, nlohmann::ordered_json({{"a", "x:y"}}));
  EXPECT_DOUBLE_EQ(body.rule.share, 0.5);
}

TEST(FaultSpec, RejectsMistakesWithTheSpecInTheMessage) {
  EXPECT_EQ(spec_error("profiles"),
            "--fault 'profiles': expected ROUTE:FIELD:..., e.g. "
            "profiles:user_id=1121:attempt=1:503:retry-after=1");
  EXPECT_NE(spec_error("/a:5%").find("names no fault"), std::string::npos);
  EXPECT_NE(spec_error("/a:150%:reset").find("0% to 100%"), std::string::npos);
  EXPECT_NE(spec_error("/a:reset:hang").find("two kinds"), std::string::npos);
  EXPECT_NE(spec_error("/a:700").find("a status must be 100-599"), std::string::npos);
  EXPECT_NE(spec_error("/a:explode").find("unknown field 'explode'"), std::string::npos);
  EXPECT_NE(spec_error("/a:reset:retry-after=1").find("retry_after_s"), std::string::npos);
  EXPECT_NE(spec_error("/a:attempt=0:reset").find("attempt="), std::string::npos);
  EXPECT_NE(spec_error("/a:drip").find("needs a size"), std::string::npos);
  EXPECT_NE(spec_error("/a:500:body={").find("body="), std::string::npos);
}

// The session always sends Content-Length and a body, which a 1xx, 204 or 304 must not have.
TEST(FaultSpec, StatusesMustAllowABody) {
  for (const char* status : {"100", "101", "199", "204", "304", "600", "0", "1000"}) {
    std::string spec = std::string("/a:") + status;
    EXPECT_EQ(spec_error(spec),
              "--fault '" + spec + "': a status must be 100-599 and allow a body (not 1xx, 204 or 304)");
  }
  for (int status : {200, 205, 303, 429, 599}) {
    EXPECT_EQ(parse_fault_spec("/a:" + std::to_string(status)).rule.status, status);
  }
  fault_rule rule;
  for (int status : {100, 204, 304, 600}) {
    rule.status = status;
    EXPECT_EQ(rule.problem(), "status: must be 100-599 and allow a body (not 1xx, 204 or 304)") << status;
  }
  rule.status = 200;
  EXPECT_EQ(rule.problem(), std::nullopt);
}

// A body nested 100,000 deep parses without recursion but would overflow the stack when copied or
// sent: refused when parsed, and the message does not echo the whole spec.
TEST(FaultSpec, ADeeplyNestedBodyIsAnErrorNotACrash) {
  for (const std::string& body : {std::string(100'000, '['), std::string(100'000, '[') + std::string(100'000, ']'),
                                  std::string(max_json_depth + 1, '[') + std::string(max_json_depth + 1, ']')}) {
    std::string error = spec_error("/a:500:body=" + body);
    EXPECT_EQ(error.rfind("--fault '/a:500:body=[[[", 0), 0u) << error.substr(0, 300);
    EXPECT_NE(error.find("': body= must be JSON (it takes the rest of the spec): nested deeper than 64 arrays and "
                         "objects"),
              std::string::npos)
        << error.substr(0, 300);
    EXPECT_LT(error.size(), 400u);
  }
  std::string deepest = std::string(max_json_depth, '[') + std::string(max_json_depth, ']');
  fault_option f = parse_fault_spec("/a:500:body=" + deepest);
  EXPECT_EQ(f.rule.body->dump(), deepest);
  router routes(with_faults({"/status/ok:500:body=" + deepest}), router_options{1, 0.0, false});
  response_plan plan = routes.route("GET", "/status/ok");
  EXPECT_EQ(plan.status, 500);
  EXPECT_EQ(plan.body, deepest + "\n");
}

TEST(FaultSpec, AttachesToAPathOrAOneRouteScenarioAndChecksTheParameter) {
  std::vector<scenario> s = with_faults({"profiles:user_id=1121:503", "/status/slow:hang"});
  EXPECT_EQ(s[4].routes[0].faults.size(), 1u);
  EXPECT_EQ(s[3].routes[1].faults.size(), 1u);
  EXPECT_THROW(with_faults({"health:reset"}), std::invalid_argument);  // three routes: name a path
  EXPECT_THROW(with_faults({"/nope:reset"}), std::invalid_argument);
  EXPECT_THROW(with_faults({"profiles:city=JAKARTA:reset"}), std::invalid_argument);  // wrong parameter
}

// ---- which requests a rule hits -----------------------------------------------------------------

TEST(FaultSelection, AShareHitsAboutThatShareOfItemsReproduciblyWithASeed) {
  std::vector<scenario> s = with_faults({"/get_user_profile:10%:503"});
  router a(s, router_options{42, 0.0, false});
  router b(s, router_options{42, 0.0, false});
  int hit = 0;
  for (int i = 0; i < 5000; ++i) {
    std::string target = "/get_user_profile?user_id=" + std::to_string(i);
    response_plan pa = a.route("GET", target);
    response_plan pb = b.route("GET", target);
    EXPECT_EQ(pa.status, pb.status) << target;  // same seed, same fate
    if (pa.status == 503) {
      ++hit;
      EXPECT_EQ(pa.fault, "status");
      EXPECT_EQ(pa.route, "/get_user_profile");
    }
  }
  EXPECT_GT(hit, 400);
  EXPECT_LT(hit, 600);
}

TEST(FaultSelection, EachAttemptIsDrawnAnewSoRetriesCanSucceed) {
  std::vector<scenario> s = with_faults({"/get_user_profile:50%:503"});
  router routes(s, router_options{7, 0.0, false});
  int recovered = 0;
  for (int i = 0; i < 200; ++i) {
    std::string target = "/get_user_profile?user_id=" + std::to_string(i);
    bool failed_first = routes.route("GET", target).status == 503;
    bool ok_second = routes.route("GET", target).status != 503;
    recovered += failed_first && ok_second ? 1 : 0;
  }
  EXPECT_GT(recovered, 20);  // about a quarter of 200
}

TEST(FaultSelection, ScriptedByItemAndAttempt) {
  std::vector<scenario> s = with_faults({"profiles:user_id=1121:attempt=1:503:retry-after=1"});
  router routes(s, router_options{1, 0.0, true});
  response_plan first = routes.route("GET", "/get_user_profile?user_id=1121");
  EXPECT_EQ(first.status, 503);
  ASSERT_EQ(first.extra_headers.size(), 1u);
  EXPECT_EQ(first.extra_headers[0], (std::pair<std::string, std::string>{"Retry-After", "1"}));
  EXPECT_EQ(first.access_line,
            "[SERVER] Fault status 503 on /get_user_profile for item '1121', attempt 1 (after 0.00s delay)\n");
  EXPECT_EQ(first.body, "{\"error\":\"injected_fault\",\"message\":\"serentak injected status 503.\"}\n");
  response_plan second = routes.route("GET", "/get_user_profile?user_id=1121");
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.fault, "");
  EXPECT_TRUE(second.extra_headers.empty());
  EXPECT_EQ(routes.route("GET", "/get_user_profile?user_id=1122").status, 200);  // another item
}

TEST(FaultSelection, ScriptedItemsFoldCaseAsTheRouteDoes) {
  std::vector<scenario> s = with_faults({"weather:city=jakarta:attempt=2:reset"});
  router routes(s, router_options{1, 0.0, false});
  EXPECT_EQ(routes.route("GET", "/get_weather?city=JAKARTA").how, delivery::normal);
  EXPECT_EQ(routes.route("GET", "/get_weather?city=Jakarta").how, delivery::reset);  // the same item
  EXPECT_EQ(routes.route("GET", "/get_weather?city=jakarta").how, delivery::normal);
}

TEST(AttemptCounter, CountsPerRouteAndItemAndStopsTrackingWhenFull) {
  attempt_counter counter(2);
  EXPECT_EQ(counter.next("/a", "x"), 1u);
  EXPECT_EQ(counter.next("/a", "x"), 2u);
  EXPECT_EQ(counter.next("/b", "x"), 1u);
  EXPECT_EQ(counter.next("/a", "y"), 0u);  // full: untracked
  EXPECT_EQ(counter.next("/a", "y"), 0u);
  EXPECT_EQ(counter.next("/a", "x"), 3u);  // known pairs still count
  EXPECT_EQ(counter.untracked(), 2u);
  EXPECT_EQ(counter.size(), 2u);
}

// ---- what each kind does to the plan ------------------------------------------------------------

// Only for what the plan holds by value: its route (a view into the router) dies with the router.
response_plan faulted(const std::string& spec, const std::string& target = "/get_user_profile?user_id=1121") {
  router routes(with_faults({spec}), router_options{1, 0.0, false});
  return routes.route("GET", target);
}

TEST(FaultPlans, EachKindFillsTheSessionsContract) {
  EXPECT_EQ(faulted("profiles:reset").how, delivery::reset);
  EXPECT_EQ(faulted("profiles:close").how, delivery::close_early);
  EXPECT_EQ(faulted("profiles:hang").how, delivery::hang);
  response_plan truncated = faulted("profiles:truncate");
  EXPECT_EQ(truncated.how, delivery::truncate);
  EXPECT_TRUE(truncated.close);
  router plain(builtin_scenarios(), router_options{1, 0.0, false});
  // The whole body: the session sends its full Content-Length, then only half of it.
  EXPECT_EQ(truncated.body, plain.route("GET", "/get_user_profile?user_id=1121").body);
  response_plan drip = faulted("profiles:drip=100");
  EXPECT_EQ(drip.how, delivery::drip);
  EXPECT_EQ(drip.drip_bytes_per_second, 100u);
  EXPECT_EQ(drip.status, 200);
  response_plan huge = faulted("profiles:huge=1M");
  EXPECT_EQ(huge.how, delivery::huge);
  EXPECT_EQ(huge.huge_body_bytes, 1u << 20);
  EXPECT_EQ(huge.fault, "huge");

  response_plan html = faulted("profiles:html");
  EXPECT_EQ(html.status, 200);
  EXPECT_EQ(html.content_type, html_content_type);
  EXPECT_EQ(html.body, fault_html_body);

  response_plan malformed = faulted("profiles:malformed-json");
  EXPECT_EQ(malformed.status, 200);
  EXPECT_EQ(malformed.content_type, json_content_type);
  EXPECT_TRUE(nlohmann::json::parse(malformed.body, nullptr, false).is_discarded());
  EXPECT_FALSE(malformed.body.empty());

  response_plan custom = faulted("profiles:429:retry-after=3:body={\"error\":\"slow down\"}");
  EXPECT_EQ(custom.status, 429);
  EXPECT_EQ(custom.body, "{\"error\":\"slow down\"}\n");
  EXPECT_EQ(custom.extra_headers[0].second, "3");

  // plan.route points into the router's tables, so the router must outlive the plan here.
  router fixed_routes(with_faults({"/status/ok:500"}), router_options{1, 0.0, false});
  response_plan fixed = fixed_routes.route("GET", "/status/ok");
  EXPECT_EQ(fixed.status, 500);
  EXPECT_EQ(fixed.route, "/status/ok");
}

TEST(FaultSpec, ParsesALimitAsARatePerSecondOrPerMinute) {
  EXPECT_EQ(parse_fault_spec("/get_weather:limit=50/s").rule.kind, fault_kind::limit);
  EXPECT_DOUBLE_EQ(parse_fault_spec("/get_weather:limit=50/s").rule.limit_per_second, 50.0);
  EXPECT_DOUBLE_EQ(parse_fault_spec("/get_weather:limit=50").rule.limit_per_second, 50.0);
  EXPECT_DOUBLE_EQ(parse_fault_spec("/get_weather:limit=30/m").rule.limit_per_second, 0.5);
  EXPECT_NE(spec_error("/get_weather:limit=0/s").find("limit= must be a rate above 0"), std::string::npos);
  EXPECT_NE(spec_error("/get_weather:limit=fast").find("limit= must be a rate above 0"), std::string::npos);
  EXPECT_NE(spec_error("/get_weather:limit").find("limit needs a size"), std::string::npos);
  EXPECT_NE(spec_error("/get_weather:limit=5/s:503").find("two kinds"), std::string::npos);
  EXPECT_NE(spec_error("/get_weather:50%:limit=5/s").find("share"), std::string::npos);
  // A scenario file's form, and back.
  fault_rule rule = parse_fault(nlohmann::ordered_json{{"kind", "limit"}, {"limit_per_second", 20}}, "f.json", "faults[0]");
  EXPECT_DOUBLE_EQ(rule.limit_per_second, 20.0);
  EXPECT_EQ(to_json(rule), (nlohmann::ordered_json{{"kind", "limit"}, {"limit_per_second", 20.0}}));
  EXPECT_THROW(parse_fault(nlohmann::ordered_json{{"kind", "limit"}}, "f.json", "faults[0]"), scenario_error);
}

TEST(FaultPlans, ALimitLetsABurstThroughThen429sWithRetryAfterRoundedUp) {
  // 2 a minute: bursts of one second's worth, at least 1; then the next token is 30 s away.
  router limited(with_faults({"/status/ok:limit=2/m"}), router_options{1, 0.0, false});
  EXPECT_EQ(limited.route("GET", "/status/ok").status, 200);
  response_plan refused = limited.route("GET", "/status/ok");
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(refused.fault, "limit");
  ASSERT_EQ(refused.extra_headers.size(), 1u);
  EXPECT_EQ(refused.extra_headers[0].first, "Retry-After");
  int seconds = std::stoi(refused.extra_headers[0].second);
  EXPECT_GE(seconds, 29);
  EXPECT_LE(seconds, 30);
  EXPECT_EQ(nlohmann::json::parse(refused.body)["error"], "rate_limited");
  // Another route is not limited by this one's bucket.
  EXPECT_EQ(limited.route("GET", "/status/slow").status, 200);

  // A fast limit: the wait is a fraction of a second, said as at least 1.
  router fast(with_faults({"/status/ok:limit=1000/s"}), router_options{1, 0.0, false});
  int refusals = 0;
  std::string retry_after;
  for (int i = 0; i < 3000 && refusals == 0; ++i) {
    response_plan plan = fast.route("GET", "/status/ok");
    if (plan.status == 429) {
      ++refusals;
      retry_after = plan.extra_headers.at(0).second;
    }
  }
  EXPECT_EQ(refusals, 1);
  EXPECT_EQ(retry_after, "1");
}

TEST(FaultPlans, UnfaultedPlansNameTheirRouteAndNoFault) {
  router routes(builtin_scenarios(), router_options{1, 0.0, false});
  response_plan plan = routes.route("GET", "/get_weather?city=jakarta");
  EXPECT_EQ(plan.route, "/get_weather");
  EXPECT_EQ(plan.fault, "");
  EXPECT_EQ(plan.how, delivery::normal);
  EXPECT_EQ(routes.route("GET", "/nope").route, "");
}

}  // namespace
}  // namespace serentak::server
