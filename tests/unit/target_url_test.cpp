#include "core/target_url.hpp"

#include <gtest/gtest.h>

namespace serentak {
namespace {

TEST(check_target_url, accepts_http_and_https) {
  EXPECT_FALSE(check_target_url("http://127.0.0.1:5000/status/ok").has_value());
  EXPECT_FALSE(check_target_url("HTTPS://example.test/x?y=1").has_value());
  EXPECT_FALSE(check_target_url("http://[::1]:8080/").has_value());
}

TEST(check_target_url, refuses_other_schemes_without_reading_anything) {
  for (const char* url : {"file:///etc/passwd", "dict://h/", "gopher://h/", "ftp://h/f", "smb://h/s", "ldap://h/"}) {
    auto problem = check_target_url(url);
    ASSERT_TRUE(problem.has_value()) << url;
    EXPECT_NE(problem->find("only http and https"), std::string::npos) << *problem;
  }
}

TEST(check_target_url, refuses_non_urls_hostless_urls_and_raw_controls) {
  EXPECT_TRUE(check_target_url("127.0.0.1:5000").has_value());
  EXPECT_TRUE(check_target_url("http:///path").has_value());
  EXPECT_TRUE(check_target_url("http://h/a b").has_value());
  auto problem = check_target_url("http://h/\r\nforged");
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->find('\n'), std::string::npos) << "the message itself must be escaped";
}

}  // namespace
}  // namespace serentak
