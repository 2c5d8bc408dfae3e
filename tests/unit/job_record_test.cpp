// What a `job work` worker stores for an item: the JSONL line `fetch` writes, credentials redacted,
// a one-line JSON body kept byte for byte (the same line whether or not a document is built).
#include "queue/job_record.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace serentak::queue {
namespace {

client::fetch_result answer(long status, std::string body) {
  client::fetch_result r;
  r.kind = status >= 200 && status < 300 ? outcome::ok : outcome::not_found;
  r.http_status = status;
  r.attempts = 1;
  r.body = std::move(body);
  return r;
}

TEST(job_record, a_one_line_json_body_is_kept_as_the_server_sent_it_and_credentials_are_redacted) {
  client::fetch_request request{7, "u7", "http://user:secret@127.0.0.1:1/p?id=u7"};
  const std::string body = R"({"username":"u7","followers":1024, "spaced" : [1,2]})";
  finished_record record = make_record(request, answer(200, body + "\n"));
  EXPECT_EQ(record.kind, outcome::ok);
  EXPECT_EQ(record.line.find('\n'), std::string::npos);
  EXPECT_NE(record.line.find(",\"data\":" + body + "}"), std::string::npos) << record.line;
  EXPECT_EQ(record.line.find("secret"), std::string::npos) << record.line;
  auto parsed = nlohmann::json::parse(record.line);
  EXPECT_EQ(parsed["index"], 7);
  EXPECT_EQ(parsed["outcome"], "ok");
  EXPECT_EQ(parsed["data"]["followers"], 1024);
}

TEST(job_record, a_body_that_is_not_json_is_a_snippet_and_pretty_json_is_compacted) {
  client::fetch_request request{1, "u1", "http://127.0.0.1:1/p?id=u1"};
  auto text = nlohmann::json::parse(make_record(request, answer(404, "<html>gone</html>")).line);
  EXPECT_EQ(text["outcome"], "not_found");
  EXPECT_EQ(text["snippet"], "<html>gone</html>");
  EXPECT_FALSE(text.contains("data"));
  finished_record pretty = make_record(request, answer(200, "{\n  \"a\": 1\n}\n"));
  EXPECT_NE(pretty.line.find(R"("data":{"a":1})"), std::string::npos) << pretty.line;
}

TEST(job_record, a_failed_attempt_is_noted_in_one_bounded_line_and_a_dead_letter_names_it) {
  client::fetch_result attempt;
  attempt.kind = outcome::server_error;
  attempt.http_status = 503;
  attempt.attempts = 2;
  EXPECT_EQ(describe_failed_attempt(attempt), "attempt 2: server_error 503");
  attempt.kind = outcome::timeout;
  attempt.http_status = 0;
  attempt.attempts = 1;
  attempt.error = "Operation timed out after 4000 milliseconds";
  EXPECT_EQ(describe_failed_attempt(attempt),
            "attempt 1: timeout: Operation timed out after 4000 milliseconds");

  // A long transport text is cut at 300 bytes, before a UTF-8 sequence rather than inside it.
  // "attempt 1: timeout: " is 20 bytes, so byte 300 is the second of an é's two.
  attempt.error = std::string(279, 'x');
  for (int k = 0; k < 20; ++k) attempt.error += "\xc3\xa9";  // é
  const std::string noted = describe_failed_attempt(attempt);
  EXPECT_EQ(noted.size(), 299U);
  EXPECT_EQ(noted.back(), 'x') << "cut inside a character";

  EXPECT_EQ(dead_letter_error(3, ""), "dead-lettered after 3 deliveries: no worker finished it");
  EXPECT_EQ(dead_letter_error(2, "attempt 1: server_error 503"),
            "dead-lettered after 2 deliveries: no worker finished it; last failed attempt: attempt 1: server_error 503");
  // What is read back from Redis is bounded again.
  EXPECT_LE(dead_letter_error(2, std::string(100000, 'y')).size(), 400U);
}

}  // namespace
}  // namespace serentak::queue
