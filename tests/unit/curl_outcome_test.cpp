#include "client/transport/curl/curl_outcome.hpp"

#include <gtest/gtest.h>

#include <string>

namespace serentak::client {
namespace {

transfer_facts facts(CURLcode code, long status = 0, bool request_sent = false) {
  transfer_facts f;
  f.code = code;
  f.http_status = status;
  f.request_sent = request_sent;
  return f;
}

struct row {
  CURLcode code;
  long status;
  bool request_sent;
  outcome expected;
};

TEST(curl_outcome, classifies_every_documented_case) {
  const row table[] = {
      // A clean HTTP exchange: the status decides (core's classify_status).
      {CURLE_OK, 200, true, outcome::ok},
      {CURLE_OK, 204, true, outcome::ok},
      {CURLE_OK, 404, true, outcome::not_found},
      {CURLE_OK, 400, true, outcome::client_error},
      {CURLE_OK, 429, true, outcome::client_error},
      {CURLE_OK, 500, true, outcome::server_error},
      {CURLE_OK, 503, true, outcome::server_error},
      {CURLE_OK, 302, true, outcome::invalid_response},  // redirect not followed
      {CURLE_OK, 101, true, outcome::invalid_response},
      // Deadlines.
      {CURLE_OPERATION_TIMEDOUT, 0, false, outcome::timeout},
      {CURLE_OPERATION_TIMEDOUT, 200, true, outcome::timeout},  // headers came, body too slow
      // The network failed: retrying can help.
      {CURLE_COULDNT_CONNECT, 0, false, outcome::connection_error},
      {CURLE_COULDNT_RESOLVE_HOST, 0, false, outcome::connection_error},
      {CURLE_COULDNT_RESOLVE_PROXY, 0, false, outcome::connection_error},
      {CURLE_SEND_ERROR, 0, true, outcome::connection_error},
      {CURLE_RECV_ERROR, 0, true, outcome::connection_error},
      {CURLE_RECV_ERROR, 200, true, outcome::connection_error},  // reset mid-body
      {CURLE_GOT_NOTHING, 0, true, outcome::connection_error},
      {CURLE_SSL_CONNECT_ERROR, 0, true, outcome::connection_error},
      {CURLE_PEER_FAILED_VERIFICATION, 0, true, outcome::connection_error},
      {CURLE_HTTP2, 0, true, outcome::connection_error},
      {CURLE_HTTP2_STREAM, 0, true, outcome::connection_error},
      // The reply arrived but cannot be used.
      {CURLE_PARTIAL_FILE, 200, true, outcome::invalid_response},
      {CURLE_WEIRD_SERVER_REPLY, 0, true, outcome::invalid_response},
      {CURLE_BAD_CONTENT_ENCODING, 200, true, outcome::invalid_response},
      {CURLE_TOO_MANY_REDIRECTS, 302, true, outcome::invalid_response},
      {CURLE_FILESIZE_EXCEEDED, 200, true, outcome::invalid_response},
      {CURLE_UNSUPPORTED_PROTOCOL, 302, true, outcome::invalid_response},  // redirect to file://
      {CURLE_UNSUPPORTED_PROTOCOL, 0, true, outcome::invalid_response},    // HTTP/0.9 garbage
      // The request could not be made as given, or a local failure.
      {CURLE_UNSUPPORTED_PROTOCOL, 0, false, outcome::unexpected},  // the user's own ftp:// URL
      {CURLE_URL_MALFORMAT, 0, false, outcome::unexpected},
      {CURLE_OUT_OF_MEMORY, 0, false, outcome::unexpected},
      {CURLE_WRITE_ERROR, 200, true, outcome::unexpected},  // not our cap
      {CURLE_ABORTED_BY_CALLBACK, 0, true, outcome::unexpected},
      {CURLE_FAILED_INIT, 0, false, outcome::unexpected},
  };
  for (const row& r : table) {
    EXPECT_EQ(classify_transfer(facts(r.code, r.status, r.request_sent)), r.expected)
        << "code " << r.code << " (" << curl_easy_strerror(r.code) << "), status " << r.status << ", sent "
        << r.request_sent;
  }
}

TEST(curl_outcome, body_over_limit_is_invalid_response_whatever_the_code) {
  transfer_facts f = facts(CURLE_WRITE_ERROR, 200, true);
  f.body_over_limit = true;
  EXPECT_EQ(classify_transfer(f), outcome::invalid_response);
  EXPECT_EQ(describe_transfer(f, "Failure writing output to destination", 1000), "response body exceeds 1000 bytes");
}

TEST(curl_outcome, a_head_over_the_limit_is_invalid_response_whatever_the_code) {
  for (CURLcode code : {CURLE_WRITE_ERROR, CURLE_OUT_OF_MEMORY}) {  // our header callback, libcurl's line cap
    transfer_facts f = facts(code, 200, true);
    f.head_over_limit = true;
    EXPECT_EQ(classify_transfer(f), outcome::invalid_response) << code;
    EXPECT_EQ(describe_transfer(f, "Out of memory", 1000), "response headers exceed 102400 bytes");
  }
}

TEST(curl_outcome, describes_transport_failures_with_curls_text) {
  EXPECT_EQ(describe_transfer(facts(CURLE_COULDNT_CONNECT), "Failed to connect to 127.0.0.1 port 9", 10),
            "Failed to connect to 127.0.0.1 port 9");
  // No error buffer text: fall back to the generic message for the code.
  EXPECT_EQ(describe_transfer(facts(CURLE_COULDNT_CONNECT), "", 10), curl_easy_strerror(CURLE_COULDNT_CONNECT));
  EXPECT_EQ(describe_transfer(facts(CURLE_COULDNT_CONNECT), nullptr, 10), curl_easy_strerror(CURLE_COULDNT_CONNECT));
}

// libcurl quotes a proxy as given; one without a scheme has no "://" for the URL redaction to find.
TEST(curl_outcome, a_proxy_quoted_in_curls_error_is_masked_with_or_without_a_scheme) {
  EXPECT_EQ(describe_transfer(facts(CURLE_COULDNT_RESOLVE_PROXY), "Unsupported proxy syntax in 'user:s3cret@[bad'", 10,
                              "user:s3cret@[bad"),
            "Unsupported proxy syntax in '***@[bad'");
  EXPECT_EQ(
      describe_transfer(facts(CURLE_COULDNT_RESOLVE_PROXY), "Unsupported proxy syntax in 'http://u:s3cret@[b'", 10),
      "Unsupported proxy syntax in 'http://***@[b'");
}

TEST(curl_outcome, clean_exchanges_carry_no_error_text_unless_the_status_is_unusable) {
  EXPECT_EQ(describe_transfer(facts(CURLE_OK, 200, true), "", 10), "");
  EXPECT_EQ(describe_transfer(facts(CURLE_OK, 503, true), "", 10), "");
  EXPECT_EQ(describe_transfer(facts(CURLE_OK, 302, true), "", 10), "unexpected HTTP status 302");
}

}  // namespace
}  // namespace serentak::client
