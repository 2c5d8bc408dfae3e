// Issue 13, point 4: both transports put the same request on the wire. The real `serentak`
// binary sends the same GET, and the same POST with headers and a JSON body, once through
// libcurl and once through the native transport, to a scripted server that keeps the raw bytes
// of each request (head and body); the two must be identical, byte for byte: method line, header
// names, values and order (Accept-Encoding included), Content-Length and body.
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/process_runner.hpp"
#include "support/scripted_http_server.hpp"
#include "support/test_paths.hpp"

namespace serentak {
namespace {

using namespace std::chrono_literals;
using testing::binary_path;
using testing::run_process;
using testing::scratch_dir;
using testing::scripted_http_server;
using testing::scripted_reply;
using testing::scripted_request;

// The request as it arrived: head (request line and header lines, CRLF each), blank line, body.
std::string raw_bytes_of(const scripted_request& request) { return request.head + "\r\n" + request.body; }

// Sends the request once through each transport; returns {curl's bytes, native's bytes}.
// file_text: written to body.txt in the run's folder first, when not empty.
std::pair<std::string, std::string> capture_both(const std::vector<std::string>& request_args, const std::string& item,
                                                 const std::string& file_text = {}) {
  scripted_http_server server([](const scripted_request&) { return scripted_reply::respond(200, R"({"ok": true})"); });
  scratch_dir dir;
  if (!file_text.empty()) std::ofstream(dir.path() / "body.txt", std::ios::binary) << file_text;
  for (const char* transport : {"curl", "native"}) {
    std::vector<std::string> args = {binary_path().string(), "fetch", "--transport", transport, "--url",
                                     server.url("/v1/things?id={}"), "-q", "--no-log"};
    args.insert(args.end(), request_args.begin(), request_args.end());
    args.push_back(item);
    auto r = run_process(args, 30s, dir.path().string());
    EXPECT_EQ(r.exit_code, 0) << transport << ": " << r.err;
  }
  const auto seen = server.requests();
  if (seen.size() != 2) {
    ADD_FAILURE() << "expected one request per transport, saw " << seen.size();
    return {};
  }
  return {raw_bytes_of(seen[0]), raw_bytes_of(seen[1])};
}

TEST(request_bytes, a_get_is_the_same_on_the_wire_through_curl_and_native) {
  const auto [curl, native] = capture_both({}, "item 1");
  EXPECT_EQ(curl, native);
  // What both send, spelled out (the port varies, so the Host line is checked by prefix).
  EXPECT_EQ(curl.rfind("GET /v1/things?id=item%201 HTTP/1.1\r\nHost: 127.0.0.1:", 0), 0U) << curl;
  EXPECT_NE(curl.find("\r\nUser-Agent: serentak/"), std::string::npos) << curl;
  EXPECT_NE(curl.find("\r\nAccept: */*\r\nAccept-Encoding: identity\r\n\r\n"), std::string::npos) << curl;
}

TEST(request_bytes, a_post_with_headers_and_a_json_body_is_the_same_on_the_wire) {
  const auto [curl, native] = capture_both(
      {"-H", "X-Request-Id: req-{}", "-H", "Authorization: Bearer abc", "--json", R"({"id":"{}","tags":["a","b"]})"},
      "it\"em");
  EXPECT_EQ(curl, native);
  const std::string body = R"({"id":"it\"em","tags":["a","b"]})";
  const std::size_t head_end = curl.find("\r\n\r\n");
  ASSERT_NE(head_end, std::string::npos);
  const std::string head = curl.substr(curl.find("\r\n") + 2, head_end - curl.find("\r\n"));
  EXPECT_EQ(curl.rfind("POST /v1/things?id=it%22em HTTP/1.1\r\n", 0), 0U) << curl;
  // After Host: the same lines, in the same order, on both.
  const std::string after_host = head.substr(head.find("\r\n") + 2);
  EXPECT_EQ(after_host.substr(after_host.find("\r\nAccept:") + 2),
            "Accept: application/json\r\nAccept-Encoding: identity\r\nX-Request-Id: req-it\"em\r\n"
            "Authorization: Bearer abc\r\nContent-Type: application/json\r\nContent-Length: " +
                std::to_string(body.size()) + "\r\n")
      << curl;
  EXPECT_EQ(curl.substr(head_end + 4), body);
}

TEST(request_bytes, a_large_body_is_sent_whole_without_expect_by_both) {
  const std::string big(2 * 1024 * 1024, 'x');  // over curl's 100-continue threshold in any version
  const auto [curl, native] = capture_both({"-X", "PUT", "-d", "@body.txt"}, "z", big + "{}");
  EXPECT_EQ(curl, native);
  EXPECT_EQ(curl.find("Expect:"), std::string::npos);
  EXPECT_EQ(curl.substr(curl.find("\r\n\r\n") + 4), big + "z");
}

}  // namespace
}  // namespace serentak
