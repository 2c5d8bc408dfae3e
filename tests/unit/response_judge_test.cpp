// judge_response with and without a document: `fetch` validates a one-line JSON body without
// building a DOM (issue 19), and what it records must be exactly what the DOM path records, for
// every body shape a server may send.
#include "client/engine/response_judge.hpp"

#include <gtest/gtest.h>

#include "core/result_record.hpp"

namespace serentak::client {
namespace {

fetch_result judge_input(long status, std::string body) {
  fetch_result r;
  r.kind = status >= 200 && status < 300 ? outcome::ok : outcome::server_error;
  r.http_status = status;
  r.body = std::move(body);
  return r;
}

std::string recorded(const fetch_result& result, const judged_response& judged, result_format format) {
  result_record record;
  record.kind = judged.kind;
  record.http_status = result.http_status;
  record.data = judged.data.is_null() ? nullptr : &judged.data;
  record.body_is_json = judged.validated_only;
  record.body = result.body;
  record.error = judged.error;
  return format_record(record, format);
}

TEST(response_judge, without_a_document_the_same_records_and_outcomes_come_out_for_every_body_shape) {
  const std::vector<std::string> bodies{
      R"({"username":"alpha_dev","followers":1024})" "\n",  // Flask's jsonify: one line and a newline
      R"([1,2,{"a":"\u00e9"}])",
      "{\n  \"pretty\": true\n}\n",  // multi-line: parsed anyway
      "null", "42", "\"text\"", "true",
      R"({"unterminated": )",  // not JSON
      "<html>oops</html>",
      "{\"bad\":\"\xff\"}",    // invalid UTF-8 inside a string: not JSON
      "[" + std::string(300, '[') + std::string(300, ']') + "]",  // deeper than records keep as data
      std::string("{\"a\":1}\0junk", 12),  // valid to nlohmann, which stops at the NUL
  };
  for (const std::string& body : bodies) {
    for (bool expects_json : {false, true}) {
      for (long status : {200L, 500L}) {
        const fetch_result result = judge_input(status, body);
        const judged_response dom = judge_response(result, expects_json, true);
        const judged_response lean = judge_response(result, expects_json, false);
        EXPECT_EQ(lean.kind, dom.kind) << body;
        EXPECT_EQ(lean.json, dom.json) << body;
        EXPECT_EQ(lean.error, dom.error) << body;
        for (result_format format : {result_format::jsonl, result_format::csv}) {
          EXPECT_EQ(recorded(result, lean, format), recorded(result, dom, format)) << body;
        }
      }
    }
  }
}

TEST(response_judge, only_a_one_line_object_or_array_is_left_unparsed) {
  EXPECT_TRUE(judge_response(judge_input(200, R"({"a":1})"
                                              "\r\n"),
                             true, false)
                  .validated_only);
  EXPECT_TRUE(judge_response(judge_input(200, "[]"), true, false).validated_only);
  const auto nul = judge_response(judge_input(200, std::string("{\"a\":1}\0junk", 12)), true, false);
  EXPECT_FALSE(nul.validated_only);  // a record would not keep it byte for byte: parsed
  EXPECT_EQ(nul.data["a"], 1);
  const auto pretty = judge_response(judge_input(200, "{\n\"a\": 1}"), true, false);
  EXPECT_FALSE(pretty.validated_only);
  EXPECT_EQ(pretty.data["a"], 1);
  EXPECT_FALSE(judge_response(judge_input(200, R"({"a":1})"), true, true).validated_only);
  const auto broken = judge_response(judge_input(200, "{\"a\":"), true, false);
  EXPECT_FALSE(broken.json);
  EXPECT_EQ(broken.kind, outcome::invalid_response);
}

}  // namespace
}  // namespace serentak::client
