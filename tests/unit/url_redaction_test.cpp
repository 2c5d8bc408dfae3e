#include "core/url_redaction.hpp"

#include <gtest/gtest.h>

namespace serentak {
namespace {

TEST(redact_url, hides_userinfo) {
  EXPECT_EQ(redact_url("http://user:pass@127.0.0.1:5000/p?id=1"), "http://***@127.0.0.1:5000/p?id=1");
  EXPECT_EQ(redact_url("https://tok@example.test"), "https://***@example.test");
  // The last '@' of the authority ends the userinfo; an '@' in the path is not userinfo.
  EXPECT_EQ(redact_url("http://a@b:c@h/x@y"), "http://***@h/x@y");
  EXPECT_EQ(redact_url("http://h/mail/a@b.c"), "http://h/mail/a@b.c");
}

TEST(redact_url, hides_values_of_sensitive_parameters_only) {
  EXPECT_EQ(redact_url("http://h/p?user_id=7&token=SECRET&x=1"), "http://h/p?user_id=7&token=***&x=1");
  EXPECT_EQ(redact_url("http://h/p?password=hunter2"), "http://h/p?password=***");
  EXPECT_EQ(redact_url("http://h/p?q=a&api_key=K1;API-KEY=K2&Api%5FKey=K3"), "http://h/p?q=a&api_key=***;API-KEY=***&Api%5FKey=***");
  EXPECT_EQ(redact_url("http://h/p?github_token=g&db_password=d&client_secret=c"),
            "http://h/p?github_token=***&db_password=***&client_secret=***");
  EXPECT_EQ(redact_url("http://h/cb#access_token=T&state=s"), "http://h/cb#access_token=***&state=s");
  EXPECT_EQ(redact_url("http://h/p?token=A#token=B"), "http://h/p?token=***#token=***");
}

TEST(redact_url, hides_camel_case_names_path_parameters_and_fragment_routes) {
  EXPECT_EQ(redact_url("http://h/p?accessToken=A&clientSecret=B&dbPassword=C&privateKey=D&page=2"),
            "http://h/p?accessToken=***&clientSecret=***&dbPassword=***&privateKey=***&page=2");
  EXPECT_EQ(redact_url("http://h/p?X-Amz-Credential=AKIA&X-Amz-Signature=S"),
            "http://h/p?X-Amz-Credential=***&X-Amz-Signature=***");
  EXPECT_EQ(redact_url("http://h/app;jsessionid=ABC/next;v=1?q=1"), "http://h/app;jsessionid=***/next;v=1?q=1");
  EXPECT_EQ(redact_url("http://h/#/callback?access_token=T&state=s"), "http://h/#/callback?access_token=***&state=s");
}

TEST(redact_url, leaves_urls_without_credentials_alone) {
  for (const char* url : {"http://127.0.0.1:5000/get_weather?city=JAKARTA", "http://h/p?tokens_left=3&keyboard=1",
                          "http://h/p?token=", "http://h/p?token", "http://h/p?a=%0D%0A", "not a url", "", "/status/ok"}) {
    EXPECT_EQ(redact_url(url), url);
  }
}

TEST(redact_item, redacts_items_that_are_urls_and_keeps_the_rest) {
  EXPECT_EQ(redact_item("http://u:p@h/status/ok"), "http://***@h/status/ok");
  EXPECT_EQ(redact_item("JAKARTA"), "JAKARTA");
  EXPECT_EQ(redact_item("a?token=x"), "a?token=x");  // not a URL: the item is the user's data
}

TEST(redact_urls_in_text, masks_every_url_in_a_message_and_keeps_the_rest) {
  EXPECT_EQ(redact_urls_in_text("Unsupported proxy syntax in 'http://user:s3cret@[bad'"),
            "Unsupported proxy syntax in 'http://***@[bad'");
  EXPECT_EQ(redact_urls_in_text("from socks5://a:b@p:1 to \"https://h/x?token=t\" ok"),
            "from socks5://***@p:1 to \"https://h/x?token=***\" ok");
  EXPECT_EQ(redact_urls_in_text("Failed to connect to 127.0.0.1 port 1"), "Failed to connect to 127.0.0.1 port 1");
  EXPECT_EQ(redact_urls_in_text("odd :// and http://u:p@h"), "odd :// and http://***@h");
}

// libcurl takes a proxy without a scheme as http:// and quotes it as given in its errors, where
// redact_urls_in_text finds no "://": such a proxy is masked as if it had one.
TEST(redact_proxy, masks_a_proxy_with_or_without_a_scheme) {
  EXPECT_EQ(redact_proxy("http://user:s3cret@h:1"), "http://***@h:1");
  EXPECT_EQ(redact_proxy("user:s3cret@[bad"), "***@[bad");
  EXPECT_EQ(redact_proxy("user:s3cret@h:99999"), "***@h:99999");
  EXPECT_EQ(redact_proxy("proxy:3128"), "proxy:3128");
}

TEST(redact_proxies_in_text, masks_each_proxy_where_it_is_quoted_and_every_url) {
  EXPECT_EQ(redact_proxies_in_text("Unsupported proxy syntax in 'user:s3cret@[bad': Bad IPv6 address",
                                   {"", "user:s3cret@[bad", "proxy:3128"}),
            "Unsupported proxy syntax in '***@[bad': Bad IPv6 address");
  EXPECT_EQ(redact_proxies_in_text("a u:p@h b u:p@h c http://x:y@z", {"u:p@h"}), "a ***@h b ***@h c http://***@z");
  EXPECT_EQ(redact_proxies_in_text("Failed to connect to h port 1", {"u:p@h"}), "Failed to connect to h port 1");
}

TEST(is_sensitive_parameter, names_credentials_without_case) {
  EXPECT_TRUE(is_sensitive_parameter("TOKEN"));
  EXPECT_TRUE(is_sensitive_parameter("Password"));
  EXPECT_TRUE(is_sensitive_parameter("x-api-key"));
  EXPECT_FALSE(is_sensitive_parameter("city"));
  EXPECT_FALSE(is_sensitive_parameter("_key"));  // a bare suffix is not a name
}

}  // namespace
}  // namespace serentak
