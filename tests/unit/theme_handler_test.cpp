// The generic theme handlers and the router, without sockets: every seed theme's found, not found,
// missing parameter, case folding and random answers, the health routes, Flask's 404/405/OPTIONS/
// HEAD, Werkzeug's query decoding, access lines, and that no request ever writes the shared table.
// Expected bodies are those the seed's Flask apps send (see tests/conformance/golden).
#include "server/routes/theme_handler.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "server/http/error_page.hpp"
#include "core/query_string.hpp"
#include "server/routes/router.hpp"
#include "themes/theme.hpp"

namespace serentak::server {
namespace {

const std::string not_found_page =
    "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was "
    "not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n";
const std::string method_not_allowed_page =
    "<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n<h1>Method Not Allowed</h1>\n"
    "<p>The method is not allowed for the requested URL.</p>\n";

const themes::keyed_route& keyed_route_of(std::string_view command) { return *themes::find_theme(command)->keyed; }

// A router over the five seed themes with no delays and access lines on.
class RouterTest : public ::testing::Test {
 protected:
  router routes{themes::seed_themes(), router_options{std::nullopt, 0.0, true}};

  response_plan get(std::string_view target) const { return routes.route("GET", target); }
};

// ---- keyed themes --------------------------------------------------------------------------------

struct found_case {
  const char* target;
  int status;
  const char* body;
};

class KeyedAnswers : public RouterTest, public ::testing::WithParamInterface<found_case> {};

TEST_P(KeyedAnswers, AnswerAsTheSeedDoes) {
  const found_case& c = GetParam();
  response_plan plan = get(c.target);
  EXPECT_EQ(plan.status, c.status) << c.target;
  EXPECT_EQ(plan.content_type, "application/json");
  EXPECT_EQ(plan.body, c.body) << c.target;
  EXPECT_FALSE(plan.omit_body);
  EXPECT_FALSE(plan.allow_header);
  EXPECT_EQ(plan.delay.count(), 0);  // delay_scale 0
}

INSTANTIATE_TEST_SUITE_P(
    SeedThemes, KeyedAnswers,
    ::testing::Values(
        // weather: upper-cased, 404 names the folded key
        found_case{"/get_weather?city=JAKARTA", 200,
                   "{\"city\":\"JAKARTA\",\"condition\":\"Cerah Berawan\",\"humidity\":\"75%\",\"temp_c\":32}\n"},
        found_case{"/get_weather?city=Medan", 200,
                   "{\"city\":\"MEDAN\",\"condition\":\"Badai Petir\",\"humidity\":\"85%\",\"temp_c\":33}\n"},
        found_case{"/get_weather?city=kuala_lumpur", 404,
                   "{\"error\":\"city_not_found\",\"message\":\"City 'KUALA_LUMPUR' not found in our database.\"}\n"},
        found_case{"/get_weather?city=%D0%BC%D0%BE%D1%81%D0%BA%D0%B2%D0%B0", 404,
                   "{\"error\":\"city_not_found\",\"message\":\"City "
                   "'\\u041c\\u041e\\u0421\\u041a\\u0412\\u0410' not found in our database.\"}\n"},
        // books: case-sensitive, 400 when missing or empty
        found_case{"/check_book_status?isbn=978-1-40-885565-2", 200,
                   "{\"isbn\":\"978-1-40-885565-2\",\"location\":\"Rak F-1\",\"status\":\"Available\","
                   "\"title\":\"Harry Potter and the Philosopher's Stone\"}\n"},
        found_case{"/check_book_status?isbn=999-9-99-999999-9", 404,
                   "{\"error\":\"isbn_not_found\",\"message\":\"Book with ISBN '999-9-99-999999-9' not found in the "
                   "catalog.\"}\n"},
        found_case{"/check_book_status", 400,
                   "{\"error\":\"bad_request\",\"message\":\"ISBN parameter is required.\"}\n"},
        found_case{"/check_book_status?isbn=", 400,
                   "{\"error\":\"bad_request\",\"message\":\"ISBN parameter is required.\"}\n"},
        found_case{"/check_book_status?isbn=caf%C3%A9", 404,
                   "{\"error\":\"isbn_not_found\",\"message\":\"Book with ISBN 'caf\\u00e9' not found in the "
                   "catalog.\"}\n"},
        // pizza: upper-cased, 400 when missing
        found_case{"/get_order_status?order_id=ord-101", 200,
                   "{\"customer\":\"Budi\",\"estimated_delivery\":\"19:30\",\"order_id\":\"ORD-101\",\"status\":"
                   "\"Baking\"}\n"},
        found_case{"/get_order_status?order_id=ORD-999", 404,
                   "{\"error\":\"order_not_found\",\"message\":\"Order ID 'ORD-999' not found.\"}\n"},
        found_case{"/get_order_status?x=ORD-101", 400,
                   "{\"error\":\"bad_request\",\"message\":\"Parameter 'order_id' is required.\"}\n"},
        found_case{"/get_order_status?order_id=ord-101+x", 404,
                   "{\"error\":\"order_not_found\",\"message\":\"Order ID 'ORD-101 X' not found.\"}\n"},
        // profiles: case-sensitive, 400 when missing, first repeated parameter wins
        found_case{"/get_user_profile?user_id=1125", 200,
                   "{\"followers\":4096,\"fullName\":\"Epsilon Data Scientist\",\"user_id\":\"1125\",\"username\":"
                   "\"epsilon_ds\"}\n"},
        found_case{"/get_user_profile?user_id=9999", 404,
                   "{\"error\":\"user_not_found\",\"message\":\"User with ID '9999' does not exist.\"}\n"},
        found_case{"/get_user_profile?user_id=", 400,
                   "{\"error\":\"bad_request\",\"message\":\"Parameter 'user_id' is required.\"}\n"},
        found_case{"/get_user_profile?user_id=1121&user_id=a", 200,
                   "{\"followers\":1024,\"fullName\":\"Alpha Developer\",\"user_id\":\"1121\",\"username\":"
                   "\"alpha_dev\"}\n"},
        found_case{"/get_user_profile?user_id=a&user_id=1121", 404,
                   "{\"error\":\"user_not_found\",\"message\":\"User with ID 'a' does not exist.\"}\n"},
        found_case{"/get_user_profile?user_id=112%31", 200,
                   "{\"followers\":1024,\"fullName\":\"Alpha Developer\",\"user_id\":\"1121\",\"username\":"
                   "\"alpha_dev\"}\n"}));

TEST_F(RouterTest, EveryKnownKeyOfEveryKeyedThemeIsFoundWithItsKeyAdded) {
  for (const themes::theme& t : themes::seed_themes()) {
    if (!t.keyed) continue;
    auto records = nlohmann::ordered_json::parse(t.keyed->records_json);
    for (auto& [key, record] : records.items()) {
      response_plan plan = get(fmt::format("{}?{}={}", t.keyed->path, t.keyed->param, key));
      ASSERT_EQ(plan.status, 200) << t.command << " " << key;
      auto body = nlohmann::json::parse(plan.body);
      EXPECT_EQ(body.at(std::string(t.keyed->param)), key);
      EXPECT_EQ(body.size(), record.size() + 1);
    }
  }
}

TEST_F(RouterTest, WeatherWithoutACityAnswersARandomRecordWithTheCitySet) {
  const std::array<std::string_view, 5> cities{"JAKARTA", "BANDUNG", "SURABAYA", "DENPASAR", "MEDAN"};
  for (std::string_view target : {"/get_weather", "/get_weather?city=", "/get_weather?x=JAKARTA"}) {
    response_plan plan = get(target);
    ASSERT_EQ(plan.status, 200) << target;
    auto body = nlohmann::json::parse(plan.body);
    std::string city = body.at("city");
    EXPECT_NE(std::find(cities.begin(), cities.end(), city), cities.end()) << city;
    EXPECT_EQ(body.size(), 4u);
  }
}

TEST(RandomPick, SeededPicksAreReproducibleAndUnseededOnesVary) {
  router a{themes::seed_themes(), router_options{5, 0.0, false}};
  router b{themes::seed_themes(), router_options{5, 0.0, false}};
  EXPECT_EQ(a.route("GET", "/get_weather").body, b.route("GET", "/get_weather").body);

  router unseeded{themes::seed_themes(), router_options{std::nullopt, 0.0, false}};
  std::set<std::string> bodies;
  for (int i = 0; i < 200; ++i) bodies.insert(unseeded.route("GET", "/get_weather").body);
  EXPECT_EQ(bodies.size(), 5u);  // every city turns up
}

// ---- health ------------------------------------------------------------------------------------

TEST_F(RouterTest, HealthRoutesAnswerTheirFixedBodies) {
  response_plan ok = get("/status/ok");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "{\"message\":\"Service is running normally.\",\"status\":\"ok\"}\n");
  EXPECT_EQ(ok.access_line, "[SERVER] GET /status/ok -> 200\n");

  response_plan error = get("/status/error");
  EXPECT_EQ(error.status, 500);
  EXPECT_EQ(error.content_type, "application/json");
  EXPECT_EQ(error.body, "{\"message\":\"Internal Server Error occurred.\",\"status\":\"error\"}\n");

  response_plan slow = get("/status/slow");  // delay_scale 0: no wait, and the message says so
  EXPECT_EQ(slow.status, 200);
  EXPECT_EQ(slow.body, "{\"message\":\"Service is running, but responded slowly after 0.00s.\",\"status\":\"ok\"}\n");
  EXPECT_EQ(get("/status/ok?verbose=1&x=%20").body, ok.body);  // the query string is ignored
}

TEST(HealthDelay, SlowWaitsTwoToThreeSecondsAndSaysHowLong) {
  router routes{themes::seed_themes(), router_options{11, 1.0, true}};
  delay_model reference(11, 1.0);
  double expected = reference.delay_s("/status/slow", "", {2.0, 3.0});
  response_plan slow = routes.route("GET", "/status/slow");
  EXPECT_EQ(slow.delay, to_duration(expected));
  EXPECT_GE(slow.delay, std::chrono::seconds(2));
  EXPECT_LT(slow.delay, std::chrono::seconds(3));
  EXPECT_EQ(slow.body, fmt::format("{{\"message\":\"Service is running, but responded slowly after {:.2f}s.\","
                                   "\"status\":\"ok\"}}\n",
                                   expected));
  EXPECT_EQ(routes.route("GET", "/status/ok").delay.count(), 0);
  EXPECT_EQ(routes.route("GET", "/status/error").delay.count(), 0);
}

TEST(KeyedDelay, EveryAnswerWaitsInTheThemesRangeBadRequestsIncluded) {
  router routes{themes::seed_themes(), router_options{3, 1.0, false}};
  struct range_case {
    const char* target;
    double min_s;
    double max_s;
  };
  for (const range_case& c :
       {range_case{"/get_weather?city=JAKARTA", 0.2, 0.6}, range_case{"/get_weather", 0.2, 0.6},
        range_case{"/check_book_status?isbn=x", 0.1, 0.4},
        range_case{"/check_book_status", 0.1, 0.4},  // 400, after the delay
        range_case{"/get_order_status", 0.3, 0.8}, range_case{"/get_user_profile?user_id=1121", 0.1, 0.5}}) {
    response_plan plan = routes.route("GET", c.target);
    EXPECT_GE(plan.delay, to_duration(c.min_s)) << c.target;
    EXPECT_LT(plan.delay, to_duration(c.max_s)) << c.target;
    EXPECT_EQ(delay_ms(plan), std::llround(static_cast<double>(plan.delay.count()) / 1e6));
  }
}

// ---- Flask's own answers: 404, 405, OPTIONS, HEAD ----------------------------------------------

TEST_F(RouterTest, UnknownPathsGetFlasksHtml404) {
  for (std::string_view target : {"/nope", "/", "/status", "/status/ok/", "/get_weather/", "/get_weather/JAKARTA"}) {
    response_plan plan = get(target);
    EXPECT_EQ(plan.status, 404) << target;
    EXPECT_EQ(plan.content_type, "text/html; charset=utf-8");
    EXPECT_EQ(plan.body, not_found_page);
    EXPECT_EQ(plan.delay.count(), 0);
  }
  EXPECT_EQ(get("/nope").access_line, "[SERVER] GET /nope -> 404\n");
  EXPECT_EQ(routes.route("PUT", "/nope").status, 404);  // Werkzeug: unknown path beats method
}

TEST_F(RouterTest, OtherMethodsOnKnownRoutesGet405WithAllow) {
  for (std::string_view method : {"POST", "PUT", "DELETE", "PATCH", "get"}) {
    response_plan plan = routes.route(method, "/get_weather?city=JAKARTA");
    EXPECT_EQ(plan.status, 405) << method;
    EXPECT_TRUE(plan.allow_header);
    EXPECT_EQ(plan.content_type, "text/html; charset=utf-8");
    EXPECT_EQ(plan.body, method_not_allowed_page);
  }
  EXPECT_EQ(routes.route("POST", "/status/ok").access_line, "[SERVER] POST /status/ok -> 405\n");
}

TEST_F(RouterTest, OptionsListsTheAllowedMethods) {
  response_plan plan = routes.route("OPTIONS", "/check_book_status");
  EXPECT_EQ(plan.status, 200);
  EXPECT_TRUE(plan.allow_header);
  EXPECT_EQ(plan.body, "");
  EXPECT_EQ(plan.content_type, "text/html; charset=utf-8");
}

TEST_F(RouterTest, HeadIsGetWithoutTheBodyBytes) {
  response_plan head = routes.route("HEAD", "/get_weather?city=JAKARTA");
  response_plan full = get("/get_weather?city=JAKARTA");
  EXPECT_TRUE(head.omit_body);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, full.body);  // kept for the Content-Length; the session sends no bytes
  EXPECT_EQ(head.body.size(), 76u);
  EXPECT_TRUE(routes.route("HEAD", "/nope").omit_body);
}

TEST_F(RouterTest, PathsArePercentDecodedAndAbsoluteFormIsAccepted) {
  EXPECT_EQ(get("/get%5Fweather?city=jakarta").status, 200);
  EXPECT_EQ(get("http://127.0.0.1:5000/get_weather?city=jakarta").status, 200);
  EXPECT_EQ(get("/get_weather?city=jakarta#fragment").status, 200);
}

TEST_F(RouterTest, RejectionsAreWerkzeugPagesThatCloseTheConnection) {
  response_plan plan = routes.reject(431);
  EXPECT_EQ(plan.status, 431);
  EXPECT_TRUE(plan.close);
  EXPECT_NE(plan.body.find("<title>431 Request Header Fields Too Large</title>"), std::string::npos);
  EXPECT_EQ(routes.reject(413).status, 413);
}

TEST_F(RouterTest, ListsEveryRoutedPath) {
  EXPECT_EQ(routes.paths(), (std::vector<std::string>{"/check_book_status", "/get_order_status", "/get_user_profile",
                                                      "/get_weather", "/status/error", "/status/ok", "/status/slow"}));
}

TEST(RouterSetup, RejectsTwoRoutesOnOnePath) {
  std::array<themes::theme, 2> twins{*themes::find_theme("books"), *themes::find_theme("books")};
  twins[1].command = "books-again";
  EXPECT_THROW(router(twins, router_options{}), std::invalid_argument);
  EXPECT_THROW(router(themes::seed_themes(), router_options{std::nullopt, -1.0, true}), std::invalid_argument);
}

TEST(RouterSetup, RejectsMalformedRecords) {
  themes::keyed_route broken = keyed_route_of("books");
  broken.records_json = "[1, 2]";
  delay_model delays(std::nullopt, 0.0);
  EXPECT_THROW(keyed_handler(broken, delays, access_lines{}), std::invalid_argument);
  broken = keyed_route_of("books");
  broken.found_line = "Sending {key";
  EXPECT_THROW(keyed_handler(broken, delays, access_lines{}), std::invalid_argument);
}

// ---- access lines --------------------------------------------------------------------------------

TEST_F(RouterTest, AccessLinesUseTheThemesTemplatesAndPythonRepr) {
  EXPECT_EQ(get("/get_weather?city=jakarta").access_line,
            "[SERVER] Sending weather for JAKARTA: {'temp_c': 32, 'condition': 'Cerah Berawan', 'humidity': '75%', "
            "'city': 'JAKARTA'} (after 0.00s delay)\n");
  EXPECT_EQ(get("/check_book_status?isbn=978-1-40-885565-2").access_line,
            "[SERVER] Sending status for ISBN 978-1-40-885565-2: {'title': \"Harry Potter and the Philosopher's "
            "Stone\", 'status': 'Available', 'location': 'Rak F-1', 'isbn': '978-1-40-885565-2'} (after 0.00s "
            "delay)\n");
  EXPECT_EQ(get("/get_weather?city=atlantis").access_line, "[SERVER] City ATLANTIS not found (after 0.00s delay)\n");
  EXPECT_EQ(get("/get_order_status").access_line, "[SERVER] Order ID parameter missing (after 0.00s delay)\n");
  EXPECT_EQ(get("/get_user_profile?user_id=1123").access_line,
            "[SERVER] Sending profile for user_id 1123: {'username': 'gamma_user', 'fullName': 'Gamma User', "
            "'followers': 512, 'user_id': '1123'} (after 0.00s delay)\n");
  std::regex random_line(R"(\[SERVER\] Sending random weather for [A-Z]+: \{'temp_c': \d+, .*, 'city': '[A-Z]+'\} )"
                         R"(\(after 0\.00s delay\)\n)");
  EXPECT_TRUE(std::regex_match(get("/get_weather").access_line, random_line)) << get("/get_weather").access_line;
}

TEST(AccessLines, DelayIsPrintedWithTwoDecimals) {
  router routes{themes::seed_themes(), router_options{99, 1.0, true}};
  double delay = delay_model(99, 1.0).delay_s("/get_user_profile", "9999", {0.1, 0.5});
  EXPECT_EQ(routes.route("GET", "/get_user_profile?user_id=9999").access_line,
            fmt::format("[SERVER] User ID 9999 not found (after {:.2f}s delay)\n", delay));
}

TEST_F(RouterTest, RequestTextIsEscapedBeforeItReachesALine) {
  std::string line = get("/get_weather?city=x%0A%5BSERVER%5D%20forged%1B").access_line;
  EXPECT_EQ(line, "[SERVER] City X\\n[SERVER] FORGED\\x1B not found (after 0.00s delay)\n");
  EXPECT_EQ(get("/nope%0Aline\x7F").access_line, "[SERVER] GET /nope%0Aline\\x7F -> 404\n");
  EXPECT_EQ(routes.route("B\nAD", "/status/ok").access_line, "[SERVER] B\\nAD /status/ok -> 405\n");
}

TEST(AccessLines, QuietRoutersBuildNone) {
  router quiet{themes::seed_themes(), router_options{std::nullopt, 0.0, false}};
  EXPECT_EQ(quiet.route("GET", "/get_weather?city=jakarta").access_line, "");
  EXPECT_EQ(quiet.route("GET", "/status/ok").access_line, "");
  EXPECT_EQ(quiet.route("GET", "/nope").access_line, "");
  EXPECT_EQ(quiet.reject(431).access_line, "");
}

// ---- the shared table is never written --------------------------------------------------------

TEST(SharedRecords, AnsweringNeverWritesTheStoredRecord) {
  delay_model delays(std::nullopt, 0.0);
  keyed_handler weather(keyed_route_of("weather"), delays, access_lines{});
  const nlohmann::ordered_json before = *weather.record("JAKARTA");
  for (std::string_view query : {"city=JAKARTA", "city=jakarta", "", "city="}) {
    response_plan plan = weather.handle(request_info{"GET", "/get_weather", query});
    EXPECT_EQ(plan.status, 200);
  }
  EXPECT_EQ(*weather.record("JAKARTA"), before);
  EXPECT_FALSE(weather.record("JAKARTA")->contains("city"));
  for (const char* key : {"BANDUNG", "SURABAYA", "DENPASAR", "MEDAN"}) {
    EXPECT_FALSE(weather.record(key)->contains("city")) << key;
  }
  EXPECT_EQ(weather.record("ATLANTIS"), nullptr);
}

// Many threads answering from one router: under TSan a write to a shared record is a reported race.
TEST(SharedRecords, ConcurrentAnswersAreIdenticalAndRaceFree) {
  router routes{themes::seed_themes(), router_options{1, 0.0, true}};
  const std::string expected = routes.route("GET", "/get_order_status?order_id=ord-102").body;
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (routes.route("GET", "/get_order_status?order_id=ord-102").body != expected) ++mismatches;
        routes.route("GET", "/get_weather");
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

// ---- Werkzeug's request target decoding ------------------------------------------------------------

TEST(QueryString, SplitTargetDecodesThePathOnly) {
  request_target t = split_target("/get%5Fweather?city=a%20b#frag");
  EXPECT_EQ(t.path, "/get_weather");
  EXPECT_EQ(t.query, "city=a%20b");
  EXPECT_EQ(split_target("/status/ok").query, "");
  EXPECT_EQ(split_target("http://h:1/a?b=1").path, "/a");
  EXPECT_EQ(split_target("http://h:1?b=1").path, "");
  EXPECT_EQ(split_target("/a+b").path, "/a+b");  // '+' is a space only in the query
}

TEST(QueryString, MalformedEscapesStayLiterallyAsInWerkzeug) {
  EXPECT_EQ(url_unquote("%G1%41x", true), "%G1Ax");
  EXPECT_EQ(url_unquote("%4", true), "%4");
  EXPECT_EQ(url_unquote("%", true), "%");
  EXPECT_EQ(url_unquote("a+b%2Bc", true), "a b+c");
  EXPECT_EQ(url_unquote("a+b", false), "a+b");
  EXPECT_EQ(url_unquote("%ff%C3", true), "\xEF\xBF\xBD\xEF\xBF\xBD");  // not UTF-8: U+FFFD each
  EXPECT_EQ(url_unquote("%e2%82x", true), "\xEF\xBF\xBDx");
}

TEST(QueryString, GetTakesTheFirstPairWithThatDecodedKey) {
  EXPECT_EQ(query_get("city=a&city=b", "city"), "a");
  EXPECT_EQ(query_get("x=1&ci%74y=q", "city"), "q");
  EXPECT_EQ(query_get("=x&city&city=b", "city"), "");         // a pair without '=' has the value ""
  EXPECT_EQ(query_get("city=a;city=b", "city"), "a;city=b");  // ';' is no separator
  EXPECT_EQ(query_get("&&city=%26%3D&", "city"), "&=");
  EXPECT_EQ(query_get("cityx=1", "city"), std::nullopt);
  EXPECT_EQ(query_get("", "city"), std::nullopt);
}

TEST(ErrorPage, MatchesWerkzeugsPages) {
  EXPECT_EQ(werkzeug_error_body(404), not_found_page);
  EXPECT_EQ(werkzeug_error_body(405), method_not_allowed_page);
  EXPECT_EQ(werkzeug_error_body(413),
            "<!doctype html>\n<html lang=en>\n<title>413 Request Entity Too Large</title>\n<h1>Request Entity Too "
            "Large</h1>\n<p>The data value transmitted exceeds the capacity limit.</p>\n");
  response_plan plan = error_page(405);
  EXPECT_TRUE(plan.allow_header);
  EXPECT_FALSE(plan.close);
}

}  // namespace
}  // namespace serentak::server
