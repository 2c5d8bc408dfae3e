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

// A port out of range was sent to libcurl, which called it "URL using bad/illegal format" per item
// (outcome unexpected, exit 1): refused up front instead, naming the port.
TEST(check_target_url, refuses_ports_out_of_range_naming_the_port) {
  EXPECT_EQ(check_target_url("http://127.0.0.1:99999/"),
            "'http://127.0.0.1:99999/': the port '99999' is not 1 to 65535");
  for (const char* url : {"http://h:0/", "http://h:-1/", "http://h:65536", "http://[::1]:70000/x", "http://u:p@h:1x/",
                          "http://h:99999999999999999999999/"}) {
    auto problem = check_target_url(url);
    ASSERT_TRUE(problem.has_value()) << url;
    EXPECT_NE(problem->find("is not 1 to 65535"), std::string::npos) << *problem;
  }
  EXPECT_EQ(check_target_url("http://u:secret@h:99999/"), "'http://***@h:99999/': the port '99999' is not 1 to 65535");
  for (const char* url : {"http://h:1/", "http://h:65535/", "http://[::1]/", "http://[::1]:8080/p?q=a:1", "http://h:/",
                          "http://127.0.0.1:{}/p", "http://u:p@h/"}) {
    EXPECT_EQ(check_target_url(url), std::nullopt) << url;
  }
  EXPECT_TRUE(check_target_url("http://[::1/").has_value());
}

// A '/', '?' or '#' in a password ends the authority early, and the port check quoted the password's
// start as the port ("the port 'pa' is not 1 to 65535"): masked up to the '@' that follows instead.
TEST(check_target_url, a_password_holding_a_slash_is_never_quoted_as_a_port) {
  const std::string reason =
      "a '/', '?' or '#' in its user name or password ends the host early: percent-encode it (%2F, %3F, %23)";
  EXPECT_EQ(check_target_url("http://u:pa/ss@h/x"), "'http://***@h/x': " + reason);
  EXPECT_EQ(check_target_url("http://u:pa?ss@h/"), "'http://***@h/': " + reason);
  EXPECT_EQ(check_url_port("http://u:pa#ss@h/"), reason);
  EXPECT_EQ(check_proxy_url("u:pa/ss@h:1"), "'***@h:1': " + reason);
  EXPECT_EQ(check_target_url("http://h:80/a@b"), std::nullopt);  // an '@' in a path, a valid port
}

TEST(check_proxy_url, takes_what_libcurl_takes_and_masks_the_password_in_a_refusal) {
  for (const char* url : {"http://proxy:3128", "proxy:3128", "https://u:p@proxy", "socks5h://[::1]:1080", "SOCKS4A://p",
                          "socks://h:1080"}) {
    EXPECT_EQ(check_proxy_url(url), std::nullopt) << url;
  }
  EXPECT_EQ(check_proxy_url("ftp://user:s3cret@h:1"),
            "'ftp://***@h:1' uses the scheme 'ftp'; a proxy is http, https, socks, socks4, socks4a, socks5 or socks5h");
  EXPECT_EQ(check_proxy_url("http://user:s3cret@h:99999"), "'http://***@h:99999': the port '99999' is not 1 to 65535");
  EXPECT_EQ(check_proxy_url("http://user:s3cret@[bad"), "'http://***@[bad' has an unclosed '['");
  EXPECT_EQ(check_proxy_url("http://user:s3cret@"), "'http://***@' has no host");
  // Without a scheme (libcurl takes it as http://) the password is masked as well.
  EXPECT_EQ(check_proxy_url("user:s3cret@[bad"), "'***@[bad' has an unclosed '['");
  EXPECT_EQ(check_proxy_url("user:s3cret@h:99999"), "'***@h:99999': the port '99999' is not 1 to 65535");
  EXPECT_EQ(check_proxy_url("http://user:s3cret@h:1/x y"),
            "'http://***@h:1/x y' contains spaces or control characters");
}

}  // namespace
}  // namespace serentak
