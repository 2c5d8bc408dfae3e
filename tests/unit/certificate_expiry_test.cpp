// The certificate expiry `[CERTIFICATE_EXPIRATION]` reads, from libcurl's CERTINFO "Expire date"
// text (OpenSSL's ASN1_TIME_print form). A misread date would turn a valid certificate into an
// alert, or hide an expiring one, so malformed text is "unknown", never a guess.
#include "client/transport/curl/certificate_expiry.hpp"

#include <gtest/gtest.h>

namespace serentak::client {
namespace {

std::time_t epoch_seconds(std::string_view text) {
  const auto t = parse_certificate_time(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t ? std::chrono::system_clock::to_time_t(*t) : 0;
}

TEST(certificate_expiry, openssls_print_form_is_read_as_utc) {
  EXPECT_EQ(epoch_seconds("Jan  1 00:00:00 2030 GMT"), 1893456000);
  EXPECT_EQ(epoch_seconds("Dec 31 23:59:59 2029 GMT"), 1893455999);
  EXPECT_EQ(epoch_seconds("Feb 29 12:30:05 2028 GMT"), 1835440205);
  EXPECT_EQ(epoch_seconds("Jan 01 00:00:00 1970 GMT"), 0);
}

TEST(certificate_expiry, anything_else_is_unknown) {
  for (std::string_view bad : {"", "Jan", "Foo  1 00:00:00 2030 GMT", "Jan  1 00:00:00 2030", "Jan  1 00:00:00 2030 UTC",
                               "Jan 32 00:00:00 2030 GMT", "Jan  1 24:00:00 2030 GMT", "Jan  1 00:61:00 2030 GMT",
                               "Jan  1 00:00 2030 GMT", "2030-01-01T00:00:00Z", "Jan  1 00:00:00 1969 GMT",
                               "Jan  1 00:00:00 2030 GMT trailing"}) {
    EXPECT_FALSE(parse_certificate_time(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace serentak::client
