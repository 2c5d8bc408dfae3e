// Issue 13, point 1: the request shape through the real `serentak` binary, on both transports.
// Method, headers, body, --json, -u, --header-file, --bearer-env and --netrc reach a scripted
// server (which records every request); secrets never reach the log, the results (JSONL and
// CSV), the summary, -v or an error message; an item that would break a header line is refused
// before any request.
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "client/transport/transport_choice.hpp"
#include "support/file_text.hpp"
#include "support/process_runner.hpp"
#include "support/scripted_http_server.hpp"
#include "support/test_paths.hpp"
#include "support/transport_param.hpp"

namespace serentak {
namespace {

using namespace std::chrono_literals;
using testing::binary_path;
using testing::current_transport;
using testing::run_process;
using testing::scratch_dir;
using testing::scripted_http_server;
using testing::scripted_reply;
using testing::scripted_request;

using testing::ok_json;

using testing::serentak;

// fetch through the transport under test, no log unless asked, no progress line.
testing::process_result fetch_from(const scripted_http_server& server, std::vector<std::string> args,
                                   const std::filesystem::path& cwd) {
  std::vector<std::string> all = {"fetch", "--transport", std::string(client::to_string(current_transport())),
                                  "--url", server.url("/api?id={}"), "-q"};
  all.insert(all.end(), args.begin(), args.end());
  return serentak(all, cwd);
}

using testing::read_file;
using testing::write_file;

// Sets an environment variable for the children of one test, and removes it again.
class scoped_env {
 public:
  scoped_env(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value, 1);
  }
  ~scoped_env() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  scoped_env(const scoped_env&) = delete;
  scoped_env& operator=(const scoped_env&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

class request_options : public testing::transport_test {};

TEST_P(request_options, method_headers_and_body_reach_the_server_with_the_item_filled_in) {
  scripted_http_server server(ok_json);
  scratch_dir dir;
  auto r = fetch_from(server, {"-X", "PUT", "-H", "X-Trace: t-{}", "-H", "X-Static: 1", "-d", "v={}&w=2", "a b"},
                      dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1U);
  EXPECT_EQ(seen[0].method, "PUT");
  EXPECT_EQ(seen[0].target, "/api?id=a%20b");
  EXPECT_EQ(seen[0].header("X-Trace"), "t-a b");  // raw, not percent-encoded
  EXPECT_EQ(seen[0].header("X-Static"), "1");
  EXPECT_EQ(seen[0].header("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(seen[0].header("Content-Length"), "9");
  EXPECT_EQ(seen[0].body, "v=a b&w=2");
  EXPECT_EQ(seen[0].header("User-Agent").value_or("").rfind("serentak/", 0), 0U);
}

TEST_P(request_options, json_escapes_the_item_and_sets_the_json_headers_and_post) {
  scripted_http_server server(ok_json);
  scratch_dir dir;
  auto r = fetch_from(server, {"--json", R"({"id":"{}","n":1})", "-A", "tester/2", "q\"uo\\te"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1U);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].body, R"({"id":"q\"uo\\te","n":1})");
  EXPECT_EQ(seen[0].header("Content-Type"), "application/json");
  EXPECT_EQ(seen[0].header("Accept"), "application/json");
  EXPECT_EQ(seen[0].header("User-Agent"), "tester/2");
}

TEST_P(request_options, basic_auth_header_file_and_bearer_env_reach_the_server) {
  scripted_http_server server(ok_json);
  scratch_dir dir;
  write_file(dir.path() / "headers.txt", "# credentials for the test API\n\nX-Api-Key: key-123\r\nX-Tenant:  acme \n");
  auto basic = fetch_from(server, {"-u", "user:pa:ss", "--header-file", "headers.txt", "one"}, dir.path());
  ASSERT_EQ(basic.exit_code, 0) << basic.err;
  {
    scoped_env token("SERENTAK_TEST_TOKEN", "tok-456");
    auto bearer = fetch_from(server, {"--bearer-env", "SERENTAK_TEST_TOKEN", "two"}, dir.path());
    ASSERT_EQ(bearer.exit_code, 0) << bearer.err;
  }
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 2U);
  EXPECT_EQ(seen[0].header("Authorization"), "Basic dXNlcjpwYTpzcw==");  // base64("user:pa:ss")
  EXPECT_EQ(seen[0].header("X-Api-Key"), "key-123");
  EXPECT_EQ(seen[0].header("X-Tenant"), "acme");
  EXPECT_EQ(seen[1].header("Authorization"), "Bearer tok-456");
}

TEST_P(request_options, a_theme_command_sends_its_headers_too) {
  scripted_http_server server([](const scripted_request&) {
    return scripted_reply::respond(200, R"({"city": "JAKARTA", "temperature": 30, "condition": "Cerah"})");
  });
  scratch_dir dir;
  auto r = serentak({"weather", "--transport", std::string(client::to_string(current_transport())), "--base",
                     server.url(""), "-H", "X-Client: field-team", "--no-log", "Jakarta"},
                    dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1U);
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_EQ(seen[0].target, "/get_weather?city=Jakarta");
  EXPECT_EQ(seen[0].header("X-Client"), "field-team");
}

// Every place a run writes to, for a grep.
std::string everything_written(const testing::process_result& r, const std::filesystem::path& dir) {
  return r.out + r.err + read_file(dir / "run.log") + read_file(dir / "out.jsonl") + read_file(dir / "out.csv");
}

TEST_P(request_options, secret_header_values_never_reach_log_results_summary_or_stderr) {
  // Some answers fail, so error messages and retries are written too.
  scripted_http_server server([](const scripted_request& request) {
    if (request.target.find("bad") != std::string::npos) return scripted_reply::respond(500, "oops");
    return scripted_reply::respond(200, R"({"ok": true})");
  });
  scratch_dir dir;
  write_file(dir.path() / "auth.txt", "Cookie: sid=SECRET-COOKIE\n");
  const std::vector<std::string> secrets = {"SECRET-BEARER", "SECRET-COOKIE", "SECRET-APIKEY", "SECRET-CUSTOM",
                                            "SECRET-PROXY"};
  for (const std::string out : {"out.jsonl", "out.csv"}) {
    auto r = fetch_from(server,
                        {"-H",
                         "Authorization: Bearer SECRET-BEARER",
                         "--header-file",
                         "auth.txt",
                         "-H",
                         "X-Api-Key: SECRET-APIKEY",
                         "-H",
                         "Proxy-Authorization: Basic SECRET-PROXY",
                         "--redact-header",
                         "x-custom",
                         "-H",
                         "X-Custom: SECRET-CUSTOM",
                         "--retries",
                         "1",
                         "-v",
                         "--log",
                         "run.log",
                         "--out",
                         out,
                         "--summary",
                         "json",
                         "good",
                         "bad"},
                        dir.path());
    ASSERT_EQ(r.exit_code, 1) << r.err;  // "bad" failed
    const std::string written = everything_written(r, dir.path());
    ASSERT_NE(written.find("Worker-1"), std::string::npos) << "nothing was logged: the grep proves nothing";
    for (const std::string& secret : secrets) EXPECT_EQ(written.find(secret), std::string::npos) << secret << " in " << out;
  }
  const auto seen = server.requests();
  ASSERT_GE(seen.size(), 3U);
  EXPECT_EQ(seen[0].header("X-Custom"), "SECRET-CUSTOM");  // sent, only never shown
}

// One refusal: exit 2, one line on stderr naming the problem, the server never asked.
void expect_request_refused(const testing::process_result& r, const std::string& says,
                            const scripted_http_server& server) {
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find(says), std::string::npos) << r.err;
  EXPECT_EQ(server.requests_seen(), 0U) << "a request was sent";
}

// An API key or a cookie by reference: the value comes from the environment, never from the command
// line (ps, shell history), and is written nowhere.
TEST_P(request_options, header_env_sends_each_variables_value_under_its_header_and_never_logs_it) {
  scripted_http_server server(ok_json);
  scratch_dir dir;
  scoped_env key("SERENTAK_TEST_API_KEY", "key-Secret-789");
  scoped_env cookie("SERENTAK_TEST_COOKIE", "session=Secret-cookie");
  auto r = fetch_from(server,
                      {"--header-env", "X-Api-Key: SERENTAK_TEST_API_KEY", "--header-env",
                       "Cookie:SERENTAK_TEST_COOKIE", "-v", "--log", "run.log", "--out", "out.jsonl", "one"},
                      dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1U);
  EXPECT_EQ(seen[0].header("X-Api-Key"), "key-Secret-789");
  EXPECT_EQ(seen[0].header("Cookie"), "session=Secret-cookie");
  const std::string written = everything_written(r, dir.path());
  ASSERT_NE(written.find("[Worker-"), std::string::npos) << "nothing was logged: the grep proves nothing";
  EXPECT_EQ(written.find("Secret"), std::string::npos) << written;

  // Refused before any request: a fresh server that must see none.
  scripted_http_server untouched(ok_json);
  expect_request_refused(
      fetch_from(untouched, {"--header-env", "X-Api-Key: SERENTAK_TEST_UNSET_VARIABLE", "x"}, dir.path()),
      "--header-env: the environment variable 'SERENTAK_TEST_UNSET_VARIABLE' (for header "
      "'X-Api-Key') is not set or is empty",
      untouched);
  expect_request_refused(fetch_from(untouched, {"--header-env", "X-Api-Key", "x"}, dir.path()),
                         "expected 'Name: VARIABLE'", untouched);
  auto value_given = fetch_from(untouched, {"--header-env", "Cookie: sid=Secret-typed", "x"}, dir.path());
  expect_request_refused(value_given, "not an environment variable name", untouched);
  EXPECT_EQ(value_given.err.find("Secret"), std::string::npos) << value_given.err;
  expect_request_refused(fetch_from(untouched, {"--header-env", "Host: SERENTAK_TEST_API_KEY", "x"}, dir.path()),
                         "set by serentak", untouched);
  expect_request_refused(
      fetch_from(untouched, {"--header-env", "Authorization: SERENTAK_TEST_API_KEY", "-u", "a:b", "x"}, dir.path()),
      "more than once", untouched);
  scoped_env broken("SERENTAK_TEST_BROKEN", "Secret-value\r\nX-Injected: 1");
  auto injected = fetch_from(untouched, {"--header-env", "X-Api-Key: SERENTAK_TEST_BROKEN", "x"}, dir.path());
  expect_request_refused(injected, "contains a control character", untouched);
  EXPECT_EQ(injected.err.find("Secret"), std::string::npos) << injected.err;
}

TEST_P(request_options, an_item_in_a_secret_header_is_never_shown) {
  scripted_http_server server(ok_json);
  scratch_dir dir;
  write_file(dir.path() / "tokens.txt", "TOKEN-AAA\nTOKEN-BBB\n");
  auto r = fetch_from(server,
                      {"-H", "Authorization: Bearer {}", "-i", "tokens.txt", "-v", "--log", "run.log", "--out",
                       "out.jsonl", "--summary", "json"},
                      dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string written = everything_written(r, dir.path());
  EXPECT_EQ(written.find("TOKEN-"), std::string::npos) << written;
  EXPECT_NE(read_file(dir.path() / "out.jsonl").find(R"("item":"***")"), std::string::npos);
  ASSERT_EQ(server.requests().size(), 2U);
  EXPECT_EQ(server.requests()[0].header("Authorization").value_or("").rfind("Bearer TOKEN-", 0), 0U);
}

TEST_P(request_options, an_item_that_would_break_a_header_line_is_refused_naming_file_and_line) {
  scripted_http_server server(ok_json);
  scratch_dir dir;
  write_file(dir.path() / "items.txt", "fine\nalso-fine\nevil\rX-Injected: 1\n");
  auto r = fetch_from(server, {"-H", "X-Id: {}", "-i", "items.txt"}, dir.path());
  expect_request_refused(r, "'items.txt': line 3", server);
  EXPECT_NE(r.err.find("X-Id"), std::string::npos) << r.err;
  // The same item into a secret header: named by its place only.
  auto secret = fetch_from(server, {"-H", "Authorization: Bearer {}", "-i", "items.txt"}, dir.path());
  expect_request_refused(secret, "line 3", server);
  EXPECT_EQ(secret.err.find("evil"), std::string::npos) << secret.err;
  // A NUL in a line is refused there too.
  write_file(dir.path() / "nul.txt", std::string("ok\nbad\0byte\n", 12));
  expect_request_refused(fetch_from(server, {"-H", "X-Id: {}", "-i", "nul.txt"}, dir.path()), "line 2", server);
  // Without "{}" in a header, the same item goes into the URL percent-encoded: no header is at risk.
  EXPECT_EQ(fetch_from(server, {"-i", "items.txt", "--no-log"}, dir.path()).exit_code, 0);
}

TEST_P(request_options, bad_static_values_are_refused_before_any_request_without_showing_them) {
  scripted_http_server server(ok_json);
  scratch_dir dir;
  expect_request_refused(fetch_from(server, {"--bearer-env", "SERENTAK_TEST_UNSET_VARIABLE", "x"}, dir.path()),
                         "SERENTAK_TEST_UNSET_VARIABLE", server);
  {
    scoped_env empty("SERENTAK_TEST_EMPTY", "");
    expect_request_refused(fetch_from(server, {"--bearer-env", "SERENTAK_TEST_EMPTY", "x"}, dir.path()),
                           "is not set or is empty", server);
  }
  {
    scoped_env templated("SERENTAK_TEST_TEMPLATED", "tok-{}");  // each item would go into the token
    expect_request_refused(fetch_from(server, {"--bearer-env", "SERENTAK_TEST_TEMPLATED", "x"}, dir.path()),
                           "(for the bearer token) contains {}", server);
  }
  write_file(dir.path() / "h.txt", "X-Ok: 1\nAuthorization: Bearer SECRET-CR\rX-Evil: 1\n");
  auto cr = fetch_from(server, {"--header-file", "h.txt", "x"}, dir.path());
  expect_request_refused(cr, "'h.txt':2:", server);
  EXPECT_EQ(cr.err.find("SECRET-CR"), std::string::npos) << cr.err;
  write_file(dir.path() / "nocolon.txt", "SECRET-NOCOLON\n");
  auto nocolon = fetch_from(server, {"--header-file", "nocolon.txt", "x"}, dir.path());
  expect_request_refused(nocolon, "'nocolon.txt':1:", server);
  EXPECT_EQ(nocolon.err.find("SECRET-NOCOLON"), std::string::npos) << nocolon.err;
  expect_request_refused(fetch_from(server, {"-X", "GE T", "x"}, dir.path()), "--method", server);
  expect_request_refused(fetch_from(server, {"-H", "Bad Name: 1", "x"}, dir.path()), "not an HTTP token", server);
  expect_request_refused(fetch_from(server, {"-u", "SECRET-NOPASS", "x"}, dir.path()), "USER:PASS", server);
  expect_request_refused(fetch_from(server, {"-u", "a:b", "-H", "Authorization: x", "x"}, dir.path()), "more than once",
                         server);
  expect_request_refused(fetch_from(server, {"-H", "Host: other", "x"}, dir.path()), "set by serentak", server);
  expect_request_refused(fetch_from(server, {"-d", "a", "--json", "{}", "x"}, dir.path()), "--json", server);
}

SERENTAK_FOR_EACH_TRANSPORT(request_options);

// --netrc is libcurl's: `auto` picks curl for it, `native` refuses it.
TEST(request_netrc, credentials_from_netrc_reach_the_server_through_curl) {
  scripted_http_server server(ok_json);
  scratch_dir dir;
  write_file(dir.path() / ".netrc", "machine 127.0.0.1 login nuser password npass\n");
  ::chmod((dir.path() / ".netrc").c_str(), 0600);
  scoped_env home("HOME", dir.path().c_str());
  for (const char* transport : {"auto", "curl"}) {
    auto r = serentak({"fetch", "--transport", transport, "--url", server.url("/api?id={}"), "--netrc", "-q", "--no-log",
                       "x"},
                      dir.path());
    EXPECT_EQ(r.exit_code, 0) << transport << ": " << r.err;
  }
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 2U);
  for (const auto& request : seen) EXPECT_EQ(request.header("Authorization"), "Basic bnVzZXI6bnBhc3M=");  // nuser:npass
  auto native = serentak({"fetch", "--transport", "native", "--url", server.url("/api?id={}"), "--netrc", "-q",
                          "--no-log", "--out", "o.jsonl", "x"},
                         dir.path());
  EXPECT_EQ(native.exit_code, 1);
  EXPECT_NE(read_file(dir.path() / "o.jsonl").find("cannot send --netrc"), std::string::npos);
  EXPECT_EQ(server.requests_seen(), 2U);
}

// Under `auto`, a reply the native parser refuses is fetched again through curl only for a plain
// GET: a POST (or any request with a body or headers of its own) is never sent twice that way.
TEST(request_auto, a_post_is_not_sent_again_through_curl_after_a_reply_the_native_parser_refused) {
  const auto no_reason_phrase = [](const scripted_request&) {
    return scripted_reply::garbage("HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok");
  };
  scratch_dir dir;
  scripted_http_server post_server(no_reason_phrase);
  auto post = serentak({"fetch", "--transport", "auto", "--url", post_server.url("/api?id={}"), "-q", "--no-log",
                        "--json", R"({"id":"{}"})", "x"},
                       dir.path());
  EXPECT_EQ(post.exit_code, 1) << post.err;  // invalid_response: the native verdict stands
  EXPECT_EQ(post_server.requests_seen(), 1U);
  scripted_http_server get_server(no_reason_phrase);
  auto get = serentak({"fetch", "--transport", "auto", "--url", get_server.url("/api?id={}"), "-q", "--no-log", "x"},
                      dir.path());
  EXPECT_EQ(get.exit_code, 0) << get.err;  // curl forgives it
  EXPECT_EQ(get_server.requests_seen(), 2U);
}

TEST(request_auto, head_goes_through_curl_and_reads_no_body) {
  scripted_http_server server([](const scripted_request&) { return scripted_reply::respond(200); });
  scratch_dir dir;
  auto r = serentak({"fetch", "--transport", "auto", "--url", server.url("/api?id={}"), "-q", "--no-log", "-X", "HEAD",
                     "a", "b"},
                    dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 2U);
  EXPECT_EQ(seen[0].method, "HEAD");
  EXPECT_FALSE(seen[0].header("Content-Length"));
}

TEST(request_auto, picks_curl_for_what_only_curl_sends_and_native_refuses_it) {
  using client::route_request;
  using client::transport_choice;
  using kind = client::transport_route::kind;
  const char* url = "http://127.0.0.1:5000/p";
  request_spec head;
  head.method = "HEAD";
  request_spec netrc;
  netrc.netrc = true;
  request_spec post;
  post.body = "x";
  for (const request_spec* spec : {&head, &netrc}) {
    const request_shape shape = request_shape::prepare(*spec);
    EXPECT_EQ(route_request(transport_choice::automatic, url, false, false, shape).how, kind::curl);
    EXPECT_EQ(route_request(transport_choice::native, url, false, false, shape).how, kind::refuse);
  }
  const request_shape post_shape = request_shape::prepare(post);
  EXPECT_EQ(route_request(transport_choice::automatic, url, false, false, post_shape).how, kind::native);
  EXPECT_EQ(route_request(transport_choice::native, url, true, false, post_shape).how, kind::refuse);
  EXPECT_EQ(route_request(transport_choice::native, url, true, false, request_shape()).how, kind::native);
}

}  // namespace
}  // namespace serentak
