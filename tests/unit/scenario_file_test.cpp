// Scenario files: strict parsing (every mistake named by file and JSON path), the built-in seed
// scenarios printed and read back to equal scenarios that answer identically, a user's own API,
// and merging several files.
#include "scenario/scenario_file.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "scenario/builtin_scenarios.hpp"
#include "server/routes/router.hpp"
#include "support/test_paths.hpp"

namespace serentak::server {
namespace {

std::string parse_error(std::string_view text) {
  try {
    parse_scenario(text, "api.json");
  } catch (const scenario_error& e) {
    return e.what();
  }
  return "(accepted)";
}

constexpr std::string_view my_api = R"({
  "name": "shop",
  "routes": [
    {"path": "/item", "param": "sku", "case": "lower",
     "records": {"ab-1": {"price": 3}, "cd-2": {"price": 5}},
     "not_found": {"status": 404, "body": {"error": "no_such_sku", "message": "No {key} here."}},
     "missing": {"status": 422, "body": {"error": "sku_required"}},
     "latency": {"model": "mix", "parts": [
        {"share": 0.05, "latency": {"model": "fixed", "seconds": 2}},
        {"share": 0.95, "latency": {"model": "uniform", "min_s": 0.1, "max_s": 0.3}}]},
     "faults": [{"kind": "status", "item": "AB-1", "attempt": 1, "status": 503, "retry_after_s": 2}]},
    {"path": "/ping", "status": 201, "body": {"pong": true, "after": "{delay}"},
     "latency": {"model": "lognormal", "median_s": 0.05, "sigma": 0.5, "cap_s": 1}}
  ]
})";

TEST(ScenarioParse, ReadsAUsersOwnApi) {
  scenario s = parse_scenario(my_api, "shop.json");
  EXPECT_EQ(s.name, "shop");
  EXPECT_EQ(s.source, "shop.json");
  ASSERT_EQ(s.routes.size(), 2u);
  EXPECT_EQ(s.routes[0].folding, case_folding::lower);
  EXPECT_EQ(s.routes[0].latency.model, latency_model::kind::mix);
  EXPECT_EQ(s.routes[1].latency, latency_model::lognormal(0.05, 0.5, 1));

  router routes({s}, router_options{1, 0.0, false});
  response_plan found = routes.route("GET", "/item?sku=CD-2");  // folded to lower case
  EXPECT_EQ(found.status, 200);
  EXPECT_EQ(found.body, "{\"price\":5,\"sku\":\"cd-2\"}\n");
  response_plan faulted = routes.route("GET", "/item?sku=ab-1");  // the fault's item folds too
  EXPECT_EQ(faulted.status, 503);
  EXPECT_EQ(routes.route("GET", "/item?sku=ab-1").status, 200);
  response_plan unknown = routes.route("GET", "/item?sku=zz");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.body, "{\"error\":\"no_such_sku\",\"message\":\"No zz here.\"}\n");
  EXPECT_EQ(routes.route("GET", "/item").status, 422);
  response_plan ping = routes.route("GET", "/ping");
  EXPECT_EQ(ping.status, 201);
  EXPECT_EQ(ping.body, "{\"after\":\"0.00\",\"pong\":true}\n");
  EXPECT_EQ(routes.route("GET", "/get_weather").status, 404);  // only the scenario's routes
}

TEST(ScenarioParse, StrictErrorsNameTheFileAndTheJsonPath) {
  EXPECT_EQ(parse_error(R"({"routes": [{"path": "/a", "statuss": 200}]})"),
            "api.json: routes[0].statuss: unknown key (expected one of: path, status, body, latency, faults)");
  EXPECT_EQ(parse_error(R"({"routes": [{"path": "/a", "status": "200"}]})"),
            "api.json: routes[0].status: must be a whole number from 100 to 599 that allows a body (not 1xx, 204 or "
            "304)");
  EXPECT_EQ(parse_error(R"({"routes": [{"path": "/a", "latency": {"model": "fixed", "seconds": -1}}]})"),
            "api.json: routes[0].latency.seconds: must be a number >= 0");
  EXPECT_EQ(parse_error(R"({"routes": [{"path": "/a", "latency": {"model": "uniform", "min_s": 0.5, "max_s": 0.1}}]})"),
            "api.json: routes[0].latency.max_s: must be a number >= min_s");
  EXPECT_EQ(parse_error(R"({"routes": [{"path": "/a", "faults": [{"kind": "reset", "share": 1.5}]}]})"),
            "api.json: routes[0].faults[0].share: must be a number in [0, 1]");
  EXPECT_EQ(parse_error(R"({"routes": [{"path": "/a", "latency": {"model": "mix", "parts": [{"share": -0.1,
             "latency": {"model": "fixed", "seconds": 1}}]}}]})"),
            "api.json: routes[0].latency.parts[0].share: must be in [0, 1]");
  EXPECT_EQ(parse_error(R"({"routes": [{"path": "/a", "param": "id", "records": {"1": 5}}]})"),
            "api.json: routes[0].records.1: must be a JSON object (the record)");
  EXPECT_EQ(parse_error(R"({"routes": [{"path": "a"}]})"), "api.json: routes[0].path: must start with '/'");
  EXPECT_EQ(parse_error(R"({"routes": [{"path": "/a", "faults": [{"kind": "explode"}]}]})"),
            "api.json: routes[0].faults[0].kind: must be one of: status, reset, close, truncate, malformed-json, "
            "html, drip, hang, huge, limit");
  EXPECT_EQ(parse_error(R"({"routes": [{"path": "/a", "faults": [{"kind": "drip"}]}]})"),
            "api.json: routes[0].faults[0].bytes_per_second: must be > 0");
  EXPECT_EQ(parse_error(R"({"routes": [{"path": "/a"}, {"path": "/a"}]})"),
            "route /a is declared twice in api.json");
  EXPECT_EQ(parse_error(R"({"routes": []})"), "api.json: routes: must be a non-empty array of routes");
  EXPECT_EQ(parse_error(R"({"route": []})"), "api.json: route: unknown key (expected one of: name, routes)");
  EXPECT_EQ(parse_error("{\"routes\": [\n  {\"path\": \"/a\",}\n]}").rfind("api.json: not valid JSON: ", 0), 0u);
}

// The session always sends Content-Length and a body: a 1xx is an interim response to a client,
// and a 204 or 304 ends at its header, so its body would corrupt the next keep-alive response.
TEST(ScenarioParse, StatusesMustAllowABody) {
  const std::string problem = "must be a whole number from 100 to 599 that allows a body (not 1xx, 204 or 304)";
  for (int status : {100, 101, 199, 204, 304, 600, 0, -204}) {
    std::string s = std::to_string(status);
    EXPECT_EQ(parse_error(R"({"routes": [{"path": "/a", "status": )" + s + "}]}"),
              "api.json: routes[0].status: " + problem);
    EXPECT_EQ(parse_error(R"({"routes": [{"path": "/a", "faults": [{"kind": "status", "status": )" + s + "}]}]}"),
              "api.json: routes[0].faults[0].status: " + problem);
    EXPECT_EQ(parse_error(R"({"routes": [{"path": "/a", "param": "id", "records": {},
               "not_found": {"status": )" +
                          s + "}}]}"),
              "api.json: routes[0].not_found.status: " + problem);
    EXPECT_EQ(parse_error(R"({"routes": [{"path": "/a", "param": "id", "records": {},
               "missing": {"status": )" +
                          s + "}}]}"),
              "api.json: routes[0].missing.status: " + problem);
  }
  EXPECT_EQ(parse_error(R"({"routes": [{"path": "/a", "status": 18446744073709551615}]})"),
            "api.json: routes[0].status: " + problem);
  EXPECT_EQ(parse_error(R"({"routes": [{"path": "/a", "status": 200.5}]})"), "api.json: routes[0].status: " + problem);
  for (int status : {200, 205, 299, 303, 305, 404, 599}) {
    scenario s = parse_scenario(R"({"routes": [{"path": "/a", "status": )" + std::to_string(status) +
                                    R"(, "faults": [{"kind": "status", "status": )" + std::to_string(status) + "}]}]}",
                                "api.json");
    EXPECT_EQ(s.routes[0].answer.status, status);
    EXPECT_EQ(s.routes[0].faults[0].status, status);
  }
}

std::string nested(std::size_t depth, bool closed = true) {
  return std::string(depth, '[') + (closed ? std::string(depth, ']') : std::string());
}

// nlohmann parses any depth without recursion, but copies and dump() recurse: 100,000 levels must
// be a clear error naming the file, not a stack overflow.
TEST(ScenarioParse, DeepNestingIsAnErrorNotACrash) {
  const std::string too_deep = "api.json: nested deeper than 64 arrays and objects";
  EXPECT_EQ(parse_error(nested(100'000, false)), too_deep);
  EXPECT_EQ(parse_error(nested(100'000)), too_deep);
  EXPECT_EQ(parse_error(R"({"routes": [{"path": "/a", "param": "id", "records": {"1": {"deep": )" + nested(100'000) +
                        "}}}]}"),
            too_deep);
  EXPECT_EQ(
      parse_error(R"({"routes": [{"path": "/a", "faults": [{"kind": "status", "body": )" + nested(100'000) + "}]}]}"),
      too_deep);
  // The file, route and body objects, and a body 61 arrays deep: 64 in all, the most allowed.
  std::string at_limit = R"({"routes": [{"path": "/a", "body": )" + nested(61) + "}]}";
  scenario s = parse_scenario(at_limit, "api.json");
  EXPECT_EQ(parse_scenario(to_json(s).dump(), "api.json"), s);
  EXPECT_EQ(parse_error(R"({"routes": [{"path": "/a", "body": )" + nested(62) + "}]}"), too_deep);
  EXPECT_EQ(parse_error(R"({"routes": [{"path": "/a", "body": )" + nested(61, false) + "}]}")
                .rfind("api.json: not valid JSON: ", 0),
            0u);
}

TEST(ParseJson, AllowsExactlyMaxJsonDepth) {
  EXPECT_EQ(parse_json(nested(max_json_depth)).dump(), nested(max_json_depth));
  EXPECT_THROW(parse_json(nested(max_json_depth + 1)), json_text_error);
  std::string objects;
  for (int i = 0; i < max_json_depth; ++i) objects += R"({"a":)";
  objects += "1" + std::string(max_json_depth, '}');
  EXPECT_EQ(parse_json(objects).dump(), objects);
  EXPECT_THROW(parse_json(R"({"b":)" + objects + "}"), json_text_error);
  EXPECT_THROW(parse_json("[1,"), json_text_error);
}

TEST(ScenarioFile, ADeeplyNestedFileIsAnErrorNamingIt) {
  testing::scratch_dir dir;
  std::string file = (dir.path() / "deep.json").string();
  std::ofstream(file) << nested(100'000, false);
  try {
    load_scenario_file(file);
    FAIL() << "accepted 100,000 levels";
  } catch (const scenario_error& e) {
    EXPECT_EQ(std::string(e.what()), file + ": nested deeper than 64 arrays and objects");
  }
}

TEST(ScenarioMerge, APathClaimedByTwoFilesNamesBoth) {
  scenario a = parse_scenario(R"({"routes": [{"path": "/x"}]})", "a.json");
  scenario b = parse_scenario(R"({"routes": [{"path": "/y"}, {"path": "/x"}]})", "b.json");
  EXPECT_EQ(merged_routes({a}).size(), 1u);
  try {
    merged_routes({a, b});
    FAIL() << "accepted a path twice";
  } catch (const scenario_error& e) {
    EXPECT_STREQ(e.what(), "route /x is declared twice: in a.json and in b.json");
  }
}

// Every built-in scenario, printed as --print-scenario prints it and read back, is the same
// scenario and answers every request byte for byte as the built-in one does.
TEST(ScenarioRoundTrip, PrintedBuiltinsLoadBackAndAnswerIdentically) {
  std::vector<scenario> loaded;
  for (const scenario& builtin : builtin_scenarios()) {
    std::string printed = to_json(builtin).dump(2);
    scenario back = parse_scenario(printed, "printed.json");
    back.source = builtin.source;
    EXPECT_EQ(back, builtin) << builtin.name;
    EXPECT_EQ(to_json(back).dump(2), printed);
    loaded.push_back(std::move(back));
  }
  router original(builtin_scenarios(), router_options{17, 1.0, true});
  router reloaded(loaded, router_options{17, 1.0, true});
  for (const char* target :
       {"/get_weather?city=jakarta", "/get_weather", "/get_weather?city=atlantis",
        "/check_book_status?isbn=978-3-16-148410-0", "/check_book_status", "/get_order_status?order_id=ord-101",
        "/get_user_profile?user_id=9999", "/get_user_profile?user_id=1121", "/status/ok", "/status/slow",
        "/status/error", "/nope"}) {
    response_plan a = original.route("GET", target);
    response_plan b = reloaded.route("GET", target);
    EXPECT_EQ(a.status, b.status) << target;
    EXPECT_EQ(a.body, b.body) << target;
    EXPECT_EQ(a.delay, b.delay) << target;
    EXPECT_EQ(a.access_line, b.access_line) << target;
  }
}

TEST(ScenarioRoundTrip, FaultsAndEveryLatencyModelSurviveTheRoundTrip) {
  scenario s = parse_scenario(my_api, "shop.json");
  fault_rule huge;
  huge.kind = fault_kind::huge;
  huge.share = 0.25;
  huge.bytes = 1000;
  fault_rule drip;
  drip.kind = fault_kind::drip;
  drip.attempt_min = 2;
  drip.attempt_max = 4;
  drip.bytes_per_second = 10;
  s.routes[1].faults = {huge, drip};
  EXPECT_EQ(parse_scenario(to_json(s).dump(), "shop.json"), s);
}

TEST(ScenarioFile, LoadsFromDiskAndReportsUnreadableFiles) {
  testing::scratch_dir dir;
  std::string file = (dir.path() / "shop.json").string();
  std::ofstream(file) << my_api;
  EXPECT_EQ(load_scenario_file(file).routes.size(), 2u);
  EXPECT_THROW(load_scenario_file((dir.path() / "missing.json").string()), scenario_error);
}

// The complete example in docs/mock-server.md loads and serves as documented.
TEST(ScenarioFile, TheDocumentedExampleLoads) {
  std::ifstream in(testing::source_dir() / "docs" / "mock-server.md");
  std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto section = doc.find("## Scenarios");
  ASSERT_NE(section, std::string::npos);
  auto start = doc.find("```json\n", section);
  ASSERT_NE(start, std::string::npos);
  start += 8;
  std::string example = doc.substr(start, doc.find("```", start) - start);
  scenario s = parse_scenario(example, "docs/mock-server.md");
  ASSERT_EQ(s.routes.size(), 2u);
  EXPECT_EQ(s.routes[0].faults.size(), 2u);
  router routes({s}, router_options{1, 0.0, true});
  EXPECT_EQ(routes.route("GET", "/item?sku=AB-1").status, 503);
  response_plan second = routes.route("GET", "/item?sku=AB-1");
  EXPECT_EQ(second.body, "{\"price\":30,\"sku\":\"ab-1\",\"title\":\"Kettle\"}\n");
  EXPECT_EQ(second.access_line,
            "[SERVER] Sending ab-1: {'title': 'Kettle', 'price': 30, 'sku': 'ab-1'} (after 0.00s delay)\n");
  EXPECT_EQ(routes.route("GET", "/health").body, "{\"message\":\"answered after 0.00s\",\"status\":\"ok\"}\n");
}

}  // namespace
}  // namespace serentak::server
