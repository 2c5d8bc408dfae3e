#include "core/result_record.hpp"

#include <chrono>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace serentak {
namespace {

TEST(result_record, jsonl_keeps_the_response_json_and_round_trips_the_index) {
  auto data = nlohmann::json::parse(R"({"username":"alpha_dev","followers":1024})");
  result_record r;
  r.index = 7;
  r.item = "1121";
  r.url = "http://h/get_user_profile?user_id=1121";
  r.kind = outcome::ok;
  r.http_status = 200;
  r.attempts = 2;
  r.latency = std::chrono::microseconds(12345);
  r.data = &data;
  std::string line = format_record(r, result_format::jsonl);
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["item"], "1121");
  EXPECT_EQ(j["outcome"], "ok");
  EXPECT_EQ(j["status"], 200);
  EXPECT_EQ(j["attempts"], 2);
  EXPECT_DOUBLE_EQ(j["latency_ms"].get<double>(), 12.345);
  EXPECT_EQ(j["data"]["followers"], 1024);
  EXPECT_FALSE(j.contains("http_version"));  // no version given: absent, as for a record without a response
  r.http_version = "1.1";
  EXPECT_EQ(nlohmann::json::parse(format_record(r, result_format::jsonl))["http_version"], "1.1");
  EXPECT_EQ(recorded_index(line.substr(0, line.size() - 1), result_format::jsonl), 7u);
}

TEST(result_record, invalid_utf8_and_newlines_never_break_a_jsonl_line) {
  std::string body = "<html>\n\xff\xfe broken</html>";
  result_record r;
  r.index = 1;
  r.item = "a\nb\xc3";
  r.url = "u";
  r.kind = outcome::invalid_response;
  r.body = body;
  r.error = "response body is not valid JSON";
  std::string line = format_record(r, result_format::jsonl);
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  auto j = nlohmann::json::parse(line);  // must be valid JSON
  EXPECT_TRUE(j["snippet"].get<std::string>().starts_with("<html>\n"));
  EXPECT_EQ(j["error"], "response body is not valid JSON");
}

TEST(result_record, csv_quotes_and_stays_on_one_line) {
  result_record r;
  r.index = 3;
  r.item = "a,\"b\"\r\nc";
  r.url = "u";
  r.kind = outcome::not_found;
  r.http_status = 404;
  r.attempts = 1;
  r.body = "x,y";
  r.http_version = "2";
  std::string line = format_record(r, result_format::csv);
  // http_version is the last column, appended so that older readers keep their columns.
  EXPECT_EQ(line, "3,\"a,\"\"b\"\"\\r\\nc\",u,not_found,404,1,0.000,,\"x,y\",2\n");
  EXPECT_EQ(csv_header(), "index,item,url,outcome,status,attempts,latency_ms,error,data,http_version\n");
  EXPECT_EQ(recorded_index(line, result_format::csv), 3u);
  EXPECT_FALSE(recorded_index(csv_header(), result_format::csv).has_value());
}

TEST(result_record, torn_and_foreign_lines_are_not_records) {
  EXPECT_FALSE(recorded_index(R"({"index":4,"item":"x","outc)", result_format::jsonl).has_value());
  EXPECT_FALSE(recorded_index(R"({"index":-1,"outcome":"ok"})", result_format::jsonl).has_value());
  EXPECT_FALSE(recorded_index("hello", result_format::jsonl).has_value());
  EXPECT_FALSE(recorded_index("12x,a", result_format::csv).has_value());
}

// The JSONL line of an ok record whose body parsed as JSON.
std::string json_body_record(std::string_view body) {
  auto data = nlohmann::json::parse(body);
  result_record r;
  r.kind = outcome::ok;
  r.data = &data;
  r.body = body;
  std::string line = format_record(r, result_format::jsonl);
  EXPECT_EQ(line.find('\n'), line.size() - 1) << line;
  return line;
}

// The record as a user reads it back: the "data" member.
nlohmann::json record_data(std::string_view body) { return nlohmann::json::parse(json_body_record(body))["data"]; }

TEST(result_record, a_one_line_json_body_is_recorded_in_the_servers_key_order) {
  // Flask ends its JSON with a newline.
  std::string line = json_body_record("{\"z\":1,\"a\":{\"y\":[1,2],\"b\":\"x\"}}\n");
  EXPECT_NE(line.find(R"("data":{"z":1,"a":{"y":[1,2],"b":"x"}})"), std::string::npos) << line;
}

TEST(result_record, json_bodies_with_line_breaks_or_a_bom_still_give_one_valid_line) {
  EXPECT_EQ(record_data("{\n  \"a\": 1\r\n}\n"), nlohmann::json::parse(R"({"a":1})"));
  EXPECT_EQ(record_data("\xEF\xBB\xBF{\"a\": \"\u00b0C\"}"), nlohmann::json::parse(R"({"a":"\u00b0C"})"));
  EXPECT_EQ(record_data("  [1, 2]"), nlohmann::json::parse("[1,2]"));
  EXPECT_EQ(record_data("42"), nlohmann::json(42));
}

TEST(result_record, a_json_body_followed_by_a_nul_and_junk_is_recorded_without_them) {
  // nlohmann's parser stops at a NUL, so this body is valid JSON to it (and to json_validate).
  using namespace std::string_literals;
  for (const std::string& body : {"{\"a\":1}\0junk"s, "[1]\0\n{\"b\":\"\xff\"}"s}) {
    for (bool validated_only : {false, true}) {
      result_record r;
      nlohmann::json data = nlohmann::json::parse(body);
      if (!validated_only) r.data = &data;
      r.body_is_json = validated_only;
      r.body = body;
      std::string line = format_record(r, result_format::jsonl);
      EXPECT_EQ(line.find('\0'), std::string::npos);
      EXPECT_EQ(line.find("junk"), std::string::npos) << line;
      ASSERT_TRUE(nlohmann::json::accept(line)) << line;
      EXPECT_EQ(nlohmann::json::parse(line)["data"], data);
    }
  }
}

TEST(result_record, formats_from_names_and_paths) {
  EXPECT_EQ(result_format_for_path("out.jsonl"), result_format::jsonl);
  EXPECT_EQ(result_format_for_path("dir.v1/out.csv"), result_format::csv);
  EXPECT_FALSE(result_format_for_path("out.txt").has_value());
  EXPECT_FALSE(result_format_from_name("xml").has_value());
}

TEST(result_record, parse_record_reads_back_what_format_record_wrote_and_refuses_damaged_lines) {
  nlohmann::json data = {{"a", 1}};
  std::string body = data.dump();
  for (result_format format : {result_format::jsonl, result_format::csv}) {
    result_record r;
    r.index = 42;
    r.item = "it,em \"x\"\n\xC0";
    r.url = "http://h/p?id=1,2";
    r.kind = outcome::server_error;
    r.http_status = 503;
    r.attempts = 3;
    r.latency = std::chrono::microseconds(1500);
    r.data = &data;
    r.body = body;
    std::string line = format_record(r, format);
    line.pop_back();
    auto back = parse_record(line, format);
    ASSERT_TRUE(back.has_value()) << line;
    EXPECT_EQ(back->index, 42u);
    EXPECT_EQ(back->item, stored_field(r.item, format)) << "matching an input item needs the stored form";
    EXPECT_EQ(back->url, stored_field(r.url, format));
    EXPECT_EQ(back->kind, outcome::server_error);
    EXPECT_EQ(back->http_status, 503);
    EXPECT_EQ(back->attempts, 3);
    EXPECT_EQ(back->latency, std::chrono::microseconds(1500));
    // Every cut of the line is damaged, never a record; one exception in CSV, which has no end
    // marker: a cut just after the last comma reads as an empty last field.
    for (std::size_t cut = 0; cut < line.size(); ++cut) {
      if (format == result_format::csv && cut == line.rfind(',') + 1) continue;
      EXPECT_FALSE(parse_record(line.substr(0, cut), format).has_value())
          << "cut at " << cut << ": " << line.substr(0, cut);
    }
  }
  EXPECT_FALSE(parse_record("{\"index\":0,\"item\":\"a\",\"outcome\":\"ok\"}", result_format::jsonl).has_value())
      << "required fields missing";
  EXPECT_FALSE(parse_record("0,a,u,nonsense,200,1,1.0,,,1.1", result_format::csv).has_value()) << "unknown outcome";
  EXPECT_FALSE(parse_record("0,a,u,ok,200,1,1.0,,,1.1,extra", result_format::csv).has_value()) << "eleven columns";
  EXPECT_TRUE(parse_record("0,a,u,ok,200,1,1.0,,,1.1", result_format::csv).has_value()) << "a whole record";
}

}  // namespace
}  // namespace serentak

namespace serentak {
namespace {

TEST(ResultRecordDepth, ABodyDeeperThanReadersAcceptIsRecordedAsAFlaggedString) {
  std::string body = std::string(600, '[') + "1" + std::string(600, ']');
  nlohmann::json data = nlohmann::json::parse(body);
  result_record r;
  r.item = "deep";
  r.url = "http://127.0.0.1/x";
  r.kind = outcome::ok;
  r.http_status = 200;
  r.attempts = 1;
  r.data = &data;
  r.body = body;
  std::string line = format_record(r, result_format::jsonl);
  // The line itself nests one object deep: any JSON reader (Python, jq) reads it.
  EXPECT_FALSE(json_deeper_than(line, 1)) << line.substr(0, 200);
  auto parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed["data_too_deep"], true);
  EXPECT_EQ(parsed["data_text"], body);
  EXPECT_FALSE(parsed.contains("data"));
  EXPECT_EQ(recorded_index(line, result_format::jsonl), std::optional<std::size_t>(0));
}

TEST(ResultRecordDepth, ABodyAtTheLimitStaysData) {
  std::string body = std::string(max_record_data_depth, '[') + std::string(max_record_data_depth, ']');
  nlohmann::json data = nlohmann::json::parse(body);
  result_record r;
  r.kind = outcome::ok;
  r.data = &data;
  r.body = body;
  auto parsed = nlohmann::json::parse(format_record(r, result_format::jsonl));
  EXPECT_TRUE(parsed.contains("data"));
  EXPECT_FALSE(parsed.contains("data_too_deep"));
}

TEST(ResultRecordDepth, BracketsInsideStringsDoNotCount) {
  EXPECT_FALSE(json_deeper_than(R"({"a":"[[[[[[","b":"\"{{{{"})", 1));
  EXPECT_TRUE(json_deeper_than(R"({"a":[{"b":1}]})", 2));
  EXPECT_FALSE(json_deeper_than(R"({"a":[{"b":1}]})", 3));
}

TEST(result_record, a_round_of_every_is_recorded_after_the_index_and_as_the_last_csv_column) {
  result_record r;
  r.index = 2;
  r.item = "x";
  r.url = "u";
  r.kind = outcome::ok;
  r.http_status = 200;
  r.attempts = 1;
  std::string single = format_record(r, result_format::jsonl);
  EXPECT_EQ(single.find("round"), std::string::npos) << "a single run's records carry no round";
  EXPECT_EQ(format_record(r, result_format::csv), "2,x,u,ok,200,1,0.000,,,\n");
  r.round = 12;
  std::string line = format_record(r, result_format::jsonl);
  EXPECT_TRUE(line.starts_with("{\"index\":2,\"round\":12,\"item\":\"x\"")) << line;
  EXPECT_EQ(nlohmann::json::parse(line)["round"], 12);
  EXPECT_EQ(recorded_index(line.substr(0, line.size() - 1), result_format::jsonl), 2u);
  EXPECT_EQ(format_record(r, result_format::csv), "2,x,u,ok,200,1,0.000,,,,12\n");
  EXPECT_EQ(csv_header(true), "index,item,url,outcome,status,attempts,latency_ms,error,data,http_version,round\n");
}

// The numbers are written without fmt (result_record.cpp): the same text as fmt's, latency_ms as "{:.3f}".
TEST(result_record, jsonl_numbers_read_as_fmt_writes_them) {
  std::vector<long long> micros = {0, 1, 9, 10, 99, 100, 999, 1000, 1001, 12345, 999999, 1000000, -1, -500, -1500,
                                   86400000000LL, 4102444800000000LL};
  for (long long us = 0; us < 3000000; us += 997) micros.push_back(us);
  result_record r;
  r.item = "i";
  r.url = "u";
  r.kind = outcome::server_error;
  r.http_status = 503;
  r.attempts = 12;
  for (long long us : micros) {
    r.index = static_cast<std::size_t>(us < 0 ? -us : us);
    r.latency = std::chrono::microseconds(us);
    const std::string expected = fmt::format(
        "{{\"index\":{},\"item\":\"i\",\"url\":\"u\",\"outcome\":\"server_error\",\"status\":503,\"attempts\":12,"
        "\"latency_ms\":{:.3f}}}\n",
        r.index, static_cast<double>(us) / 1000.0);
    EXPECT_EQ(format_record(r, result_format::jsonl), expected) << us;
  }
}

TEST(result_record, append_record_adds_exactly_format_records_line_after_what_the_buffer_holds) {
  const std::string body = R"({"a":1})"
                           "\n";
  result_record r;
  r.index = 3;
  r.item = "x,\"y\"";
  r.url = "http://h/p?id=x";
  r.kind = outcome::ok;
  r.http_status = 200;
  r.attempts = 1;
  r.latency = std::chrono::microseconds(1500);
  r.body = body;
  r.body_is_json = true;
  r.http_version = "1.1";
  for (result_format format : {result_format::jsonl, result_format::csv}) {
    for (std::size_t round : {std::size_t{0}, std::size_t{4}}) {
      r.round = round;
      std::string buffer = "earlier record\n";
      append_record(buffer, r, format);
      EXPECT_EQ(buffer, "earlier record\n" + format_record(r, format));
    }
  }
}

}  // namespace
}  // namespace serentak
