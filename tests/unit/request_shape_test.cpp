#include "core/request_shape.hpp"

#include <stdexcept>

#include <gtest/gtest.h>

#include "core/version.hpp"

namespace serentak {
namespace {

std::string block(const request_shape& shape, std::string_view item) {
  std::string out;
  shape.append_header_block(out, item);
  return out;
}

TEST(request_shape, the_default_is_a_plain_get_with_three_lines) {
  const request_shape shape;
  EXPECT_EQ(shape.method(), "GET");
  EXPECT_TRUE(shape.plain_get());
  EXPECT_FALSE(shape.has_body());
  EXPECT_EQ(block(shape, "x"), "User-Agent: serentak/" + std::string(project_version()) +
                                   "\r\nAccept: */*\r\nAccept-Encoding: identity\r\n");
  EXPECT_EQ(std::string(project_version()).find('.'), 1U);  // "0.1.0": from CMake, not empty
}

TEST(request_shape, user_headers_replace_defaults_in_place_and_follow_in_order) {
  request_spec spec;
  spec.headers = {{"accept", "text/plain"}, {"X-B", "2"}, {"X-A", "{}-{}"}, {"Content-Type", "text/csv"}};
  spec.body = "b={}";
  const request_shape shape = request_shape::prepare(spec);
  EXPECT_EQ(shape.method(), "POST");
  EXPECT_FALSE(shape.plain_get());
  EXPECT_EQ(block(shape, "i"), "User-Agent: serentak/" + std::string(project_version()) +
                                   "\r\nAccept: text/plain\r\nAccept-Encoding: identity\r\nX-B: 2\r\nX-A: i-i\r\n"
                                   "Content-Type: text/csv\r\n");
  std::string scratch;
  EXPECT_EQ(shape.body_for("i", scratch), "b=i");
}

TEST(request_shape, json_escapes_the_item_and_sets_accept_and_content_type) {
  request_spec spec;
  spec.body = R"({"q":"{}"})";
  spec.json = true;
  spec.user_agent = "";
  const request_shape shape = request_shape::prepare(spec);
  std::string scratch;
  EXPECT_EQ(shape.body_for("a\"b\\c\n", scratch), R"({"q":"a\"b\\c\n"})");
  EXPECT_EQ(block(shape, ""), "Accept: application/json\r\nAccept-Encoding: identity\r\nContent-Type: application/json\r\n");
}

TEST(request_shape, an_empty_value_is_sent_as_name_colon_by_both_forms) {
  request_spec spec;
  spec.headers = {{"X-Empty", ""}, {"X-Item", "{}"}};
  spec.user_agent = "";
  const request_shape shape = request_shape::prepare(spec);
  EXPECT_EQ(shape.curl_line(2), "X-Empty;");  // curl's spelling of an empty header
  std::string line;
  shape.expand_curl_line(3, "", line);
  EXPECT_EQ(line, "X-Item;");
  shape.expand_curl_line(3, "v", line);
  EXPECT_EQ(line, "X-Item: v");
  EXPECT_EQ(block(shape, ""), "Accept: */*\r\nAccept-Encoding: identity\r\nX-Empty:\r\nX-Item:\r\n");
}

TEST(request_shape, items_that_would_break_a_header_line_are_named) {
  request_spec spec;
  spec.headers = {{"Authorization", "Bearer {}"}};
  const request_shape shape = request_shape::prepare(spec);
  EXPECT_TRUE(shape.item_is_secret());
  EXPECT_FALSE(shape.check_item("fine"));
  for (std::string_view bad : {std::string_view("a\rb"), std::string_view("a\nb"), std::string_view("a\0b", 3)}) {
    ASSERT_TRUE(shape.check_item(bad));
    EXPECT_NE(shape.check_item(bad)->find("Authorization"), std::string::npos);
  }
  EXPECT_FALSE(request_shape().check_item("a\nb"));  // no "{}" in a header: the URL encodes it
}

TEST(request_shape, secrets_and_curl_only_shapes_are_recognised) {
  request_spec spec;
  spec.redact = {"X-Session"};
  spec.headers = {{"x-session", "{}"}};
  const request_shape shape = request_shape::prepare(spec);
  EXPECT_TRUE(shape.is_secret_header("X-SESSION"));
  EXPECT_TRUE(shape.is_secret_header("cookie"));
  EXPECT_TRUE(shape.item_is_secret());
  EXPECT_TRUE(shape.needs_curl().empty());
  request_spec head;
  head.method = "HEAD";
  EXPECT_FALSE(request_shape::prepare(head).needs_curl().empty());
  request_spec gzip;
  gzip.headers = {{"Accept-Encoding", "gzip"}};
  EXPECT_FALSE(request_shape::prepare(gzip).needs_curl().empty());
}

TEST(request_shape, bad_methods_names_and_values_are_refused_without_the_value) {
  request_spec method;
  method.method = "GE T";
  EXPECT_THROW(request_shape::prepare(method), std::invalid_argument);
  request_spec value;
  value.headers = {{"Authorization", "SECRET\r\nX: 1"}};
  try {
    request_shape::prepare(value);
    FAIL() << "accepted a CR LF";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).find("SECRET"), std::string::npos) << e.what();
  }
  request_spec host;
  host.headers = {{"Host", "other"}};
  EXPECT_THROW(request_shape::prepare(host), std::invalid_argument);
  EXPECT_THROW(parse_header_line("no colon"), std::invalid_argument);
  EXPECT_THROW(parse_header_line("Bad Name: 1"), std::invalid_argument);
  EXPECT_EQ(parse_header_line("X-A:  v 1 ").value, "v 1");
  EXPECT_TRUE(is_http_token("PATCH"));
  EXPECT_FALSE(is_http_token(""));
  EXPECT_FALSE(is_http_token("a:b"));
}

// RFC 9110 5.5: a field value holds no control character but tab. \x01 and DEL were sent as typed,
// and -A was not checked at all: "-A $'ua\\r\\nX-Evil: 1'" added a header line.
TEST(request_shape, control_characters_in_a_header_value_or_the_user_agent_are_refused) {
  const std::string_view bads[] = {"a\001b", "a\x7f", "a\rb", "a\nb", std::string_view("a\0b", 3), "\x1b[31m"};
  for (std::string_view bad : bads) {
    EXPECT_THROW(parse_header_line("X-A: " + std::string(bad)), std::invalid_argument) << bad;
    request_spec value;
    value.headers = {{"X-A", std::string(bad)}};
    EXPECT_THROW(request_shape::prepare(value), std::invalid_argument) << bad;
    request_spec agent;
    agent.user_agent = "ua" + std::string(bad);
    try {
      request_shape::prepare(agent);
      ADD_FAILURE() << "accepted the User-Agent " << bad;
    } catch (const std::invalid_argument& e) {
      EXPECT_STREQ(e.what(), "-A: the User-Agent contains a control character");
    }
  }
  EXPECT_EQ(parse_header_line("X-A: a\tb").value, "a\tb");  // tab is allowed inside a value
  request_spec item;
  item.headers = {{"X-Id", "{}"}};
  const request_shape shape = request_shape::prepare(item);
  EXPECT_TRUE(shape.check_item("a\001b").has_value());
  EXPECT_FALSE(shape.check_item("a\tb").has_value());
}

TEST(request_shape, basic_authorization_is_base64_of_user_colon_password) {
  EXPECT_EQ(basic_authorization("Aladdin:open sesame"), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");  // RFC 7617
  EXPECT_EQ(basic_authorization("a:b"), "Basic YTpi");
  EXPECT_EQ(basic_authorization("ab:"), "Basic YWI6");
  EXPECT_EQ(basic_authorization("u:"), "Basic dTo=");
}

}  // namespace
}  // namespace serentak
