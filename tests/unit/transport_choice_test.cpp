#include "client/transport/transport_choice.hpp"

#include <cstdlib>

#include <gtest/gtest.h>

namespace serentak::client {
namespace {

// The variables libcurl reads for an http:// URL, cleared around each case (single-threaded test).
class proxy_environment : public ::testing::Test {
 protected:
  void SetUp() override { clear(); }
  void TearDown() override { clear(); }
  static void clear() {
    for (const char* name : {"http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY", "https_proxy", "HTTPS_PROXY"}) {
      ::unsetenv(name);
    }
  }
};

TEST_F(proxy_environment, upper_case_http_proxy_is_ignored_as_libcurl_ignores_it) {
  EXPECT_FALSE(proxy_in_environment());
  ::setenv("HTTP_PROXY", "http://127.0.0.1:9", 1);
  EXPECT_FALSE(proxy_in_environment());
  ::setenv("HTTPS_PROXY", "http://127.0.0.1:9", 1);  // for https:// only, which native never carries
  EXPECT_FALSE(proxy_in_environment());
}

TEST_F(proxy_environment, lower_case_http_proxy_and_either_all_proxy_count) {
  for (const char* name : {"http_proxy", "all_proxy", "ALL_PROXY"}) {
    clear();
    ::setenv(name, "http://127.0.0.1:9", 1);
    EXPECT_TRUE(proxy_in_environment()) << name;
    ::setenv(name, "", 1);
    EXPECT_FALSE(proxy_in_environment()) << name << " empty";
  }
}

TEST(route_request, a_proxy_or_http2_under_auto_goes_to_curl_otherwise_native) {
  EXPECT_EQ(route_request(transport_choice::automatic, "http://127.0.0.1:8/x", false, false).how,
            transport_route::kind::native);
  EXPECT_EQ(route_request(transport_choice::automatic, "http://127.0.0.1:8/x", false, true).how,
            transport_route::kind::curl);
  EXPECT_EQ(route_request(transport_choice::automatic, "https://127.0.0.1:8/x", false, false).how,
            transport_route::kind::curl);
}

}  // namespace
}  // namespace serentak::client
