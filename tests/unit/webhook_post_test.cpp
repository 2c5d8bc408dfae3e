#include "monitor/webhook_post.hpp"

#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

namespace serentak::monitor {
namespace {

using namespace std::chrono_literals;

// libcurl quotes a proxy whole in some errors ("Unsupported proxy syntax in 'http://user:s3cret@[bad'"):
// a webhook's failure went into the monitor's log with the proxy's password in it.
TEST(webhook_post, a_libcurl_error_naming_a_proxy_never_shows_its_password) {
  const char* before = std::getenv("http_proxy");
  const std::string kept = before != nullptr ? before : "";
  ::setenv("http_proxy", "http://user:s3cret@[bad", 1);
  const attempt_result result = post_webhook("http://127.0.0.1:9/hook", "{}", 2s, {});
  if (before != nullptr) {
    ::setenv("http_proxy", kept.c_str(), 1);
  } else {
    ::unsetenv("http_proxy");
  }
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.detail.find("s3cret"), std::string::npos) << result.detail;
  EXPECT_FALSE(result.detail.empty());
}

}  // namespace
}  // namespace serentak::monitor
