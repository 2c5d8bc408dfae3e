// core/transport_failure: the one classification of an attempt for both transports, and the text
// of its error. The pairs below are the same reply seen by each transport: libcurl's code (mapped
// by failure_of) and the failure the native transport reports for it must give the same outcome.
#include "core/transport_failure.hpp"

#include <curl/curl.h>

#include <gtest/gtest.h>

#include "client/transport/curl/curl_outcome.hpp"

namespace serentak {
namespace {

TEST(transport_failure, each_failure_has_one_outcome_and_none_lets_the_status_decide) {
  EXPECT_EQ(classify_attempt(transport_failure::none, 200), outcome::ok);
  EXPECT_EQ(classify_attempt(transport_failure::none, 404), outcome::not_found);
  EXPECT_EQ(classify_attempt(transport_failure::none, 503), outcome::server_error);
  EXPECT_EQ(classify_attempt(transport_failure::none, 302), outcome::invalid_response);
  EXPECT_EQ(classify_attempt(transport_failure::timed_out, 0), outcome::timeout);
  for (auto f : {transport_failure::connect_failed, transport_failure::send_failed, transport_failure::recv_failed,
                 transport_failure::got_nothing, transport_failure::protocol_failed}) {
    EXPECT_EQ(classify_attempt(f, 0), outcome::connection_error) << to_string(f);
    EXPECT_TRUE(is_retryable(classify_attempt(f, 0), 0)) << to_string(f);
  }
  // A status read before the body failed does not turn a failure into a success.
  EXPECT_EQ(classify_attempt(transport_failure::bad_reply, 200), outcome::invalid_response);
  EXPECT_EQ(classify_attempt(transport_failure::reply_too_large, 200), outcome::invalid_response);
  EXPECT_EQ(classify_attempt(transport_failure::refused_request, 0), outcome::unexpected);
  EXPECT_EQ(classify_attempt(transport_failure::local_failure, 0), outcome::unexpected);
  EXPECT_FALSE(is_retryable(outcome::unexpected, 0));
}

TEST(transport_failure, the_same_reply_seen_by_curl_and_by_the_native_transport_is_one_outcome) {
  struct same_reply {
    CURLcode curl;
    bool request_sent;
    transport_failure native;
  };
  const same_reply pairs[] = {
      {CURLE_OK, true, transport_failure::none},
      {CURLE_OPERATION_TIMEDOUT, true, transport_failure::timed_out},
      {CURLE_COULDNT_CONNECT, false, transport_failure::connect_failed},
      {CURLE_SEND_ERROR, false, transport_failure::send_failed},
      {CURLE_RECV_ERROR, true, transport_failure::recv_failed},  // a reset, or a bad chunk header
      {CURLE_GOT_NOTHING, true, transport_failure::got_nothing},
      {CURLE_PARTIAL_FILE, true, transport_failure::bad_reply},
      {CURLE_WEIRD_SERVER_REPLY, true, transport_failure::bad_reply},
      {CURLE_BAD_CONTENT_ENCODING, true, transport_failure::bad_reply},
      {CURLE_TOO_MANY_REDIRECTS, true, transport_failure::bad_reply},
      {CURLE_UNSUPPORTED_PROTOCOL, true, transport_failure::bad_reply},  // HTTP/0.9, a redirect to ftp://
      {CURLE_URL_MALFORMAT, true, transport_failure::refused_request},   // a redirect to a malformed URL
  };
  for (const same_reply& p : pairs) {
    for (long status : {0L, 200L, 500L}) {
      client::transfer_facts facts;
      facts.code = p.curl;
      facts.request_sent = p.request_sent;
      facts.http_status = status;
      EXPECT_EQ(client::failure_of(facts), p.native) << curl_easy_strerror(p.curl);
      EXPECT_EQ(client::classify_transfer(facts), classify_attempt(p.native, status)) << curl_easy_strerror(p.curl);
    }
  }
  // The caps are facts about the reply, whatever code curl's refusing callback produced.
  client::transfer_facts over;
  over.code = CURLE_WRITE_ERROR;
  over.body_over_limit = true;
  EXPECT_EQ(client::failure_of(over), transport_failure::reply_too_large);
  over.code = CURLE_WRITE_ERROR;
  over.body_over_limit = false;
  EXPECT_EQ(client::failure_of(over), transport_failure::local_failure);
  client::transfer_facts user_scheme;  // the user's own ftp:// URL: nothing was sent
  user_scheme.code = CURLE_UNSUPPORTED_PROTOCOL;
  EXPECT_EQ(client::failure_of(user_scheme), transport_failure::refused_request);
}

TEST(transport_failure, the_error_text_is_ours_for_caps_and_statuses_else_the_transports) {
  EXPECT_EQ(describe_attempt({transport_failure::none, 200, false, false}, 100, 50, "ignored"), "");
  EXPECT_EQ(describe_attempt({transport_failure::none, 302, false, false}, 100, 50, ""), "unexpected HTTP status 302");
  EXPECT_EQ(describe_attempt({transport_failure::reply_too_large, 200, true, false}, 100, 50, "curl text"),
            "response body exceeds 100 bytes");
  EXPECT_EQ(describe_attempt({transport_failure::reply_too_large, 200, false, true}, 100, 50, "curl text"),
            "response headers exceed 50 bytes");
  EXPECT_EQ(describe_attempt({transport_failure::connect_failed, 0, false, false}, 100, 50,
                             "Failed to connect to 127.0.0.1 port 9: Connection refused"),
            "Failed to connect to 127.0.0.1 port 9: Connection refused");
}

}  // namespace
}  // namespace serentak
