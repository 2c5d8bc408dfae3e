#include "client/transport/native/native_response.hpp"

#include <gtest/gtest.h>

#include <string>

namespace serentak::client {
namespace {

using state = native_response::state;

// Feeds `bytes` in pieces of `step` (1: byte by byte), then the end of the stream if asked.
state feed_all(native_response& response, const std::string& bytes, std::size_t step, bool then_eof = false) {
  state last = state::need_more;
  for (std::size_t at = 0; at < bytes.size() && last == state::need_more; at += step) {
    last = response.feed(bytes.data() + at, std::min(step, bytes.size() - at));
  }
  if (last == state::need_more && then_eof) last = response.feed_eof();
  return last;
}

TEST(native_response, content_length_body_in_one_piece_and_byte_by_byte) {
  const std::string reply = "HTTP/1.1 200 OK\r\nContent-Length: 7\r\nRetry-After: 3\r\n\r\n{\"a\":1}";
  for (std::size_t step : {reply.size(), std::size_t{1}}) {
    native_response response;
    response.begin(1000);
    ASSERT_EQ(feed_all(response, reply, step), state::done) << step;
    EXPECT_EQ(response.status(), 200);
    EXPECT_TRUE(response.reusable());
    ASSERT_TRUE(response.retry_after().has_value());
    EXPECT_EQ(response.retry_after()->count(), 3000);
    EXPECT_EQ(response.take_body(), "{\"a\":1}");
  }
}

TEST(native_response, chunked_body_is_decoded) {
  const std::string reply = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n3\r\nefg\r\n0\r\n\r\n";
  for (std::size_t step : {reply.size(), std::size_t{1}, std::size_t{5}}) {
    native_response response;
    response.begin(1000);
    ASSERT_EQ(feed_all(response, reply, step), state::done) << step;
    EXPECT_EQ(response.take_body(), "abcdefg");
  }
}

TEST(native_response, an_endless_chunk_extension_or_trailer_fails_instead_of_growing) {
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (const std::string& endless : {std::string("1;") + std::string(300 * 1024, 'a'),
                                     std::string("1\r\nx\r\n0\r\nX-Trailer: ") + std::string(300 * 1024, 'b')}) {
    native_response response;
    response.begin(1000);
    EXPECT_EQ(feed_all(response, head + endless, 64 * 1024), state::failed);
    EXPECT_EQ(response.failure(), transport_failure::recv_failed);  // as curl's chunk decoder: a connection error
  }
}

TEST(native_response, the_body_cap_counts_received_body_bytes) {
  native_response declared;
  declared.begin(10);
  EXPECT_EQ(feed_all(declared, "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n01234567890", 64), state::failed);
  EXPECT_TRUE(declared.body_over_limit());

  native_response chunked;
  chunked.begin(10);
  EXPECT_EQ(feed_all(chunked, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nghijkl\r\n0\r\n\r\n", 3),
            state::failed);
  EXPECT_TRUE(chunked.body_over_limit());

  native_response at_cap;
  at_cap.begin(10);
  EXPECT_EQ(feed_all(at_cap, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789", 64), state::done);
}

TEST(native_response, connection_close_and_http_1_0_are_not_reusable) {
  native_response close;
  close.begin(100);
  EXPECT_EQ(feed_all(close, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", 64), state::done);
  EXPECT_FALSE(close.reusable());

  native_response until_eof;  // HTTP/1.0 without a length: the body ends with the connection
  until_eof.begin(100);
  EXPECT_EQ(feed_all(until_eof, "HTTP/1.0 200 OK\r\n\r\nbody", 64, true), state::done);
  EXPECT_FALSE(until_eof.reusable());
  EXPECT_EQ(until_eof.take_body(), "body");
}

TEST(native_response, interim_responses_are_skipped) {
  native_response response;
  response.begin(100);
  EXPECT_EQ(feed_all(response, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nx", 64),
            state::done);
  EXPECT_EQ(response.status(), 201);
  EXPECT_EQ(response.take_body(), "x");
}

TEST(native_response, failures_carry_the_failure_curls_code_maps_to) {
  native_response nothing;
  nothing.begin(100);
  EXPECT_EQ(nothing.feed_eof(), state::failed);
  EXPECT_EQ(nothing.failure(), transport_failure::got_nothing);  // CURLE_GOT_NOTHING

  native_response short_body;
  short_body.begin(100);
  EXPECT_EQ(feed_all(short_body, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 64, true), state::failed);
  EXPECT_EQ(short_body.failure(), transport_failure::bad_reply);  // CURLE_PARTIAL_FILE
  EXPECT_FALSE(short_body.curl_may_read());
  EXPECT_EQ(short_body.status(), 200);

  native_response not_http;
  not_http.begin(100);
  EXPECT_EQ(feed_all(not_http, "HELLO THERE\r\n\r\n", 64, true), state::failed);
  EXPECT_EQ(not_http.failure(), transport_failure::bad_reply);  // HTTP/0.9: CURLE_UNSUPPORTED_PROTOCOL
  EXPECT_FALSE(not_http.curl_may_read());

  native_response bad_status;
  bad_status.begin(100);
  EXPECT_EQ(feed_all(bad_status, "HTTP/1.1 abc\r\n\r\n", 64, true), state::failed);
  EXPECT_EQ(bad_status.failure(), transport_failure::bad_reply);  // CURLE_WEIRD_SERVER_REPLY
  EXPECT_TRUE(bad_status.curl_may_read()) << "a stricter parser than curl's: `auto` asks curl";

  native_response leftover;  // bytes after the response: usable, but the connection is not
  leftover.begin(100);
  EXPECT_EQ(feed_all(leftover, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxEXTRA", 64), state::done);
  EXPECT_FALSE(leftover.reusable());
}

TEST(native_response, a_head_over_the_limit_fails_without_buffering_it) {
  const std::string one_line = "X-Huge: " + std::string(300 * 1024, 'h') + "\r\n";
  std::string many_lines;
  for (int i = 0; i < 3000; ++i) many_lines += "X-Filler-" + std::to_string(i) + ": " + std::string(80, 'h') + "\r\n";
  for (const std::string& headers : {one_line, many_lines}) {
    native_response response;
    response.begin(100);
    EXPECT_EQ(feed_all(response, "HTTP/1.1 200 OK\r\n" + headers + "Content-Length: 2\r\n\r\n{}", 16 * 1024),
              state::failed);
    EXPECT_TRUE(response.head_over_limit());
    EXPECT_FALSE(response.body_over_limit());
  }
}

// It asks for identity and decodes nothing: a coded body fails as a bad reply that curl may read
// (so `auto` hands it to curl) instead of passing compressed bytes off as the body.
TEST(native_response, a_body_in_a_content_coding_is_refused_not_passed_off_as_the_body) {
  native_response gzip;
  gzip.begin(100);
  EXPECT_EQ(feed_all(gzip, "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\n\x1f\x8b\x08", 1),
            state::failed);
  EXPECT_EQ(gzip.failure(), transport_failure::bad_reply);  // CURLE_BAD_CONTENT_ENCODING
  EXPECT_TRUE(gzip.curl_may_read()) << "curl decodes gzip: `auto` asks curl";
  EXPECT_EQ(gzip.error(), "Content-Encoding gzip is not decoded by the native transport");
  EXPECT_EQ(gzip.status(), 200);

  native_response second_field;  // every Content-Encoding field counts
  second_field.begin(100);
  EXPECT_EQ(feed_all(second_field,
                     "HTTP/1.1 200 OK\r\nContent-Encoding: identity\r\nContent-Encoding: br\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n",
                     64),
            state::failed);
  EXPECT_EQ(second_field.failure(), transport_failure::bad_reply);
  EXPECT_TRUE(second_field.curl_may_read());

  native_response identity;
  identity.begin(100);
  EXPECT_EQ(feed_all(identity, "HTTP/1.1 200 OK\r\nContent-Encoding:  IDENTITY \r\nContent-Length: 2\r\n\r\n{}", 64),
            state::done);
  EXPECT_EQ(identity.take_body(), "{}");

  native_response empty;  // no body follows: nothing to decode
  empty.begin(100);
  EXPECT_EQ(feed_all(empty, "HTTP/1.1 204 No Content\r\nContent-Encoding: gzip\r\n\r\n", 64), state::done);
  EXPECT_EQ(empty.status(), 204);

  // Not a 2xx: the status, its Retry-After and a redirect's Location still decide what happens
  // (a retry, a hop); the body is only ever a bounded snippet, so it stays as sent.
  native_response busy;
  busy.begin(100);
  EXPECT_EQ(feed_all(busy,
                     "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 2\r\nContent-Encoding: gzip\r\n"
                     "Content-Length: 3\r\n\r\n\x1f\x8b\x08",
                     64),
            state::done);
  EXPECT_EQ(busy.status(), 503);
  ASSERT_TRUE(busy.retry_after().has_value());
  EXPECT_EQ(*busy.retry_after(), std::chrono::seconds(2));
  native_response moved;
  moved.begin(100);
  EXPECT_EQ(feed_all(moved,
                     "HTTP/1.1 302 Found\r\nLocation: /next\r\nContent-Encoding: gzip\r\n"
                     "Content-Length: 3\r\n\r\n\x1f\x8b\x08",
                     64),
            state::done);
  EXPECT_EQ(moved.location(), "/next");
}

}  // namespace
}  // namespace serentak::client
