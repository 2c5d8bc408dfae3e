#include "core/percent_encoding.hpp"

#include <gtest/gtest.h>

#include "core/url_template.hpp"

namespace serentak {
namespace {

TEST(percent_encode, keeps_unreserved_characters) {
  EXPECT_EQ(percent_encode("ORD-101_a.b~Z9"), "ORD-101_a.b~Z9");
}

TEST(percent_encode, encodes_everything_that_could_change_a_urls_shape) {
  EXPECT_EQ(percent_encode("a b"), "a%20b");
  EXPECT_EQ(percent_encode("/?#&=+%"), "%2F%3F%23%26%3D%2B%25");
  EXPECT_EQ(percent_encode("x\r\ny"), "x%0D%0Ay");
  EXPECT_EQ(percent_encode("é"), "%C3%A9");
  EXPECT_EQ(percent_encode(std::string("a\0b", 3)), "a%00b");
}

TEST(percent_decode, inverts_encode_and_handles_plus) {
  EXPECT_EQ(percent_decode(percent_encode("Kuala Lumpur/&?é")), "Kuala Lumpur/&?é");
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_EQ(percent_decode("a+b", false), "a+b");
  EXPECT_EQ(percent_decode("%41%62"), "Ab");
}

TEST(percent_decode, rejects_malformed_escapes) {
  EXPECT_FALSE(percent_decode("%G1").has_value());
  EXPECT_FALSE(percent_decode("abc%").has_value());
  EXPECT_FALSE(percent_decode("abc%4").has_value());
}

TEST(url_template, puts_the_encoded_item_where_the_braces_are) {
  url_template t("http://127.0.0.1:5000/", "/get_weather?city={}");
  EXPECT_EQ(t.expand("JAKARTA"), "http://127.0.0.1:5000/get_weather?city=JAKARTA");
  EXPECT_EQ(t.expand("KL&admin=1#x"), "http://127.0.0.1:5000/get_weather?city=KL%26admin%3D1%23x");
}

TEST(url_template, replaces_every_occurrence) {
  url_template t("http://h", "/a/{}?again={}");
  EXPECT_EQ(t.expand("x y"), "http://h/a/x%20y?again=x%20y");
}

TEST(url_template, requires_braces_unless_items_are_urls) {
  EXPECT_THROW(url_template("http://h", "/get_weather?city="), std::invalid_argument);
  url_template whole("http://h:1/", "", true);
  EXPECT_EQ(whole.expand("/status/ok"), "http://h:1/status/ok");
  EXPECT_EQ(whole.expand("https://other/x"), "https://other/x");
}

TEST(url_template, dot_items_cannot_remove_a_path_segment) {
  url_template t("http://h", "/p/{}/x?id={}");
  EXPECT_EQ(t.expand(".."), "http://h/p/%2E%2E/x?id=%2E%2E");
  EXPECT_EQ(t.expand("."), "http://h/p/%2E/x?id=%2E");
  EXPECT_EQ(t.expand("..."), "http://h/p/.../x?id=...");  // not a dot segment: left as is
  EXPECT_EQ(t.expand("../etc"), "http://h/p/..%2Fetc/x?id=..%2Fetc");
}

}  // namespace
}  // namespace serentak
