// HTTPS end to end with real processes: `serentak serve --tls-cert/--tls-key` and `serentak fetch`
// with a throwaway CA made by `openssl` at run time. Verified with --cacert, CURL_CA_BUNDLE or
// SSL_CERT_FILE; refused (connection_error naming the certificate problem) without; -k with one
// warning; mutual TLS (--tls-client-ca) refused without --cert/--key, accepted with them; bad
// files on either side are one line and exit 2.
#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/file_text.hpp"
#include "support/result_records.hpp"
#include "support/process_runner.hpp"
#include "support/serve_process.hpp"
#include "support/test_paths.hpp"
#include "support/test_pki.hpp"

namespace serentak {
namespace {

using namespace std::chrono_literals;
using testing::binary_path;
using testing::run_process;
using testing::scratch_dir;
using testing::serve_process;

using testing::read_file;

using testing::read_result_records;
std::size_t count_lines_with(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) n += line.find(needle) != std::string::npos ? 1 : 0;
  return n;
}

class tls : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::openssl_available()) GTEST_SKIP() << "/usr/bin/openssl is not installed (scripts/install-deps.sh)";
    pki_ = testing::make_test_pki(dir_.path());
    ASSERT_TRUE(pki_.error.empty()) << pki_.error;
  }

  std::vector<std::string> serve_args(bool mutual) const {
    std::vector<std::string> args{"--quiet", "--delay-scale", "0", "--threads", "1", "--tls-cert",
                                  pki_.server_cert.string(), "--tls-key", pki_.server_key.string()};
    if (mutual) args.insert(args.end(), {"--tls-client-ca", pki_.ca_cert.string()});
    return args;
  }

  static std::string url(const serve_process& server) {
    return "https://127.0.0.1:" + std::to_string(server.port()) + "/get_user_profile?user_id={}";
  }

  // serentak fetch with a clean environment plus `env` (NAME=value), the results in out.jsonl.
  testing::process_result fetch(std::vector<std::string> args, const std::vector<std::string>& env = {}) const {
    std::vector<std::string> argv = testing::clean_env_command();
    argv.insert(argv.end(), env.begin(), env.end());
    argv.insert(argv.end(), {binary_path().string(), "fetch", "-q", "--summary", "none", "--timeout", "10", "-o",
                             out().string(), "--log", log().string()});
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv, 60s, dir_.path().string());
  }

  std::filesystem::path out() const { return dir_.path() / "out.jsonl"; }
  std::filesystem::path log() const { return dir_.path() / "fetch.log"; }

  scratch_dir dir_;
  testing::test_pki pki_;
};

TEST_F(tls, verified_with_cacert_and_the_record_says_http_1_1) {
  serve_process server(serve_args(false));
  ASSERT_NE(server.port(), 0);
  auto r = fetch({"--url", url(server), "--cacert", pki_.ca_cert.string(), "1121", "1122"});
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto records = read_result_records(out());
  ASSERT_EQ(records.size(), 2u);
  for (const auto& record : records) {
    EXPECT_EQ(record["outcome"], "ok") << record;
    EXPECT_EQ(record["status"], 200);
    EXPECT_EQ(record["http_version"], "1.1");  // the mock offers no ALPN h2
  }
  EXPECT_EQ(r.err.find("insecure"), std::string::npos);
}

TEST_F(tls, an_unknown_ca_is_a_connection_error_naming_the_certificate_problem) {
  serve_process server(serve_args(false));
  ASSERT_NE(server.port(), 0);
  auto r = fetch({"--url", url(server), "1121"});
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto records = read_result_records(out());
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["outcome"], "connection_error");
  EXPECT_EQ(records[0]["status"], 0);
  EXPECT_FALSE(records[0].contains("http_version"));  // no response, no version
  const std::string error = records[0].value("error", "");
  EXPECT_NE(error.find("certificate"), std::string::npos) << error;
  EXPECT_NE(read_file(log()).find("certificate"), std::string::npos) << read_file(log());
}

TEST_F(tls, insecure_skips_verification_and_warns_exactly_once_per_run) {
  serve_process server(serve_args(false));
  ASSERT_NE(server.port(), 0);
  auto r = fetch({"--url", url(server), "-k", "1121", "1122", "1123"});
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_result_records(out()).size(), 3u);
  EXPECT_EQ(count_lines_with(r.err, "warning: --insecure"), 1u) << r.err;
}

TEST_F(tls, curl_ca_bundle_and_ssl_cert_file_are_honoured_as_the_curl_tool_does) {
  serve_process server(serve_args(false));
  ASSERT_NE(server.port(), 0);
  for (const char* name : {"CURL_CA_BUNDLE", "SSL_CERT_FILE"}) {
    std::filesystem::remove(out());
    auto r = fetch({"--url", url(server), "1121"}, {std::string(name) + "=" + pki_.ca_cert.string()});
    ASSERT_FALSE(r.timed_out);
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.err;
    auto records = read_result_records(out());
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0]["outcome"], "ok") << name << ": " << records[0];
  }
  // CURL_CA_BUNDLE first: a wrong SSL_CERT_FILE beside a right CURL_CA_BUNDLE does not matter.
  std::filesystem::remove(out());
  auto r = fetch({"--url", url(server), "1121"},
                 {"CURL_CA_BUNDLE=" + pki_.ca_cert.string(), "SSL_CERT_FILE=" + pki_.client_cert.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(tls, mutual_tls_refuses_a_client_without_a_certificate_and_accepts_one_with_it) {
  serve_process server(serve_args(true));
  ASSERT_NE(server.port(), 0);
  auto refused = fetch({"--url", url(server), "--cacert", pki_.ca_cert.string(), "1121"});
  ASSERT_FALSE(refused.timed_out);
  EXPECT_EQ(refused.exit_code, 1) << refused.err;
  auto records = read_result_records(out());
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["outcome"], "connection_error") << records[0];

  std::filesystem::remove(out());
  auto accepted = fetch({"--url", url(server), "--cacert", pki_.ca_cert.string(), "--cert", pki_.client_cert.string(),
                         "--key", pki_.client_key.string(), "1121"});
  ASSERT_FALSE(accepted.timed_out);
  EXPECT_EQ(accepted.exit_code, 0) << accepted.err;
  records = read_result_records(out());
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["outcome"], "ok") << records[0];
}

TEST_F(tls, a_missing_or_unreadable_client_file_is_exit_2_naming_the_option) {
  const std::string missing = (dir_.path() / "nope.pem").string();
  for (const char* option : {"--cacert", "--cert", "--capath"}) {
    std::vector<std::string> args{"--url", "https://127.0.0.1:9/x?id={}", option, missing, "1"};
    auto r = fetch(args);
    EXPECT_EQ(r.exit_code, 2) << option;
    EXPECT_NE(r.err.find(option), std::string::npos) << r.err;
    EXPECT_EQ(count_lines_with(r.err, "serentak fetch:"), 1u) << r.err;
  }
  auto r = fetch({"--url", "https://127.0.0.1:9/x?id={}", "1"}, {"CURL_CA_BUNDLE=" + missing});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("CURL_CA_BUNDLE"), std::string::npos) << r.err;
  auto both = fetch({"--url", "http://127.0.0.1:9/x?id={}", "--http2", "--http1.1", "1"});
  EXPECT_EQ(both.exit_code, 2) << both.err;
  auto native = fetch({"--url", "http://127.0.0.1:9/x?id={}", "--transport", "native", "--http2", "1"});
  EXPECT_EQ(native.exit_code, 2) << native.err;
}

TEST_F(tls, serve_refuses_bad_certificate_files_naming_the_file_and_the_reason) {
  // A key that does not belong to the certificate, and a certificate file that is not PEM.
  auto mismatch = run_process({binary_path().string(), "serve", "--port", "0", "--tls-cert", pki_.server_cert.string(),
                               "--tls-key", pki_.client_key.string()},
                              30s);
  ASSERT_FALSE(mismatch.timed_out);
  EXPECT_EQ(mismatch.exit_code, 2) << mismatch.out;
  EXPECT_NE(mismatch.err.find("--tls-key"), std::string::npos) << mismatch.err;
  EXPECT_NE(mismatch.err.find(pki_.client_key.string()), std::string::npos) << mismatch.err;
  EXPECT_NE(mismatch.err.find("mismatch"), std::string::npos) << mismatch.err;

  auto not_pem = run_process({binary_path().string(), "serve", "--port", "0", "--tls-cert", pki_.server_key.string(),
                              "--tls-key", pki_.server_key.string()},
                             30s);
  EXPECT_EQ(not_pem.exit_code, 2) << not_pem.out;
  EXPECT_NE(not_pem.err.find("--tls-cert"), std::string::npos) << not_pem.err;
  EXPECT_NE(not_pem.err.find("no start line"), std::string::npos) << not_pem.err;  // OpenSSL's reason

  auto missing = run_process({binary_path().string(), "serve", "--port", "0", "--tls-cert",
                              (dir_.path() / "nope.pem").string(), "--tls-key", pki_.server_key.string()},
                             30s);
  EXPECT_EQ(missing.exit_code, 2) << missing.out;
  EXPECT_NE(missing.err.find("nope.pem': No such file or directory"), std::string::npos) << missing.err;

  auto alone = run_process({binary_path().string(), "serve", "--port", "0", "--tls-cert", pki_.server_cert.string()}, 30s);
  EXPECT_EQ(alone.exit_code, 2);
  EXPECT_NE(alone.err.find("--tls-key"), std::string::npos) << alone.err;
}

// Each transport fault of the session, carried out over TLS, reaches the client as the outcome it
// has on plain http (docs/mock-server.md, "HTTPS"): a FIN without close_notify is read by libcurl
// as the end of the stream, so a truncated body is still invalid_response, not a TLS error.
TEST_F(tls, delivery_faults_reach_the_client_over_tls_as_on_plain_http) {
  std::vector<std::string> args = serve_args(false);
  args.insert(args.end(), {"--fault", "profiles:user_id=1121:reset", "--fault", "profiles:user_id=1122:truncate",
                           "--fault", "profiles:user_id=1123:close", "--fault", "profiles:user_id=1124:drip=2000",
                           "--fault", "profiles:user_id=1125:huge=20M"});
  serve_process server(args);
  ASSERT_NE(server.port(), 0);
  auto r = fetch({"--url", url(server), "--cacert", pki_.ca_cert.string(), "1121", "1122", "1123", "1124", "1125"});
  ASSERT_FALSE(r.timed_out);
  auto records = read_result_records(out());
  ASSERT_EQ(records.size(), 5u);
  std::map<std::string, std::string> outcome_by_item;
  for (const auto& record : records) outcome_by_item[record["item"]] = record["outcome"];
  EXPECT_EQ(outcome_by_item["1121"], "connection_error");  // reset
  EXPECT_EQ(outcome_by_item["1122"], "invalid_response");  // truncate: "transfer closed with N bytes remaining"
  EXPECT_EQ(outcome_by_item["1123"], "connection_error");  // close: empty reply
  EXPECT_EQ(outcome_by_item["1124"], "ok");                // drip
  EXPECT_EQ(outcome_by_item["1125"], "invalid_response");  // huge, over --max-body's 8 MiB
}

// The mock server stands in for a forward proxy: it routes the absolute-form request
// ("GET http://127.0.0.1:9/get_user_profile?user_id=1121 HTTP/1.1") by its path and answers
// 200, while a direct request to the closed port 9 is a connection_error. So the outcome tells
// whether the proxy was used.
class proxy : public tls {
 protected:
  void SetUp() override {}  // no certificates needed
  std::string proxy_url() const { return "http://127.0.0.1:" + std::to_string(server_.port()); }
  std::string outcome_of(const std::vector<std::string>& args, const std::vector<std::string>& env) const {
    std::filesystem::remove(out());
    std::vector<std::string> all{"--url", "http://127.0.0.1:9/get_user_profile?user_id={}", "1121"};
    all.insert(all.end(), args.begin(), args.end());
    auto r = fetch(all, env);
    auto records = read_result_records(out());
    return records.size() == 1 ? records[0]["outcome"].get<std::string>() : "(no record: " + r.err + ")";
  }
  serve_process server_{{"--quiet", "--delay-scale", "0", "--threads", "1"}};
};

TEST_F(proxy, proxy_option_and_variables_are_used_as_curl_uses_them) {
  ASSERT_NE(server_.port(), 0);
  EXPECT_EQ(outcome_of({}, {}), "connection_error");  // direct: nothing listens on port 9
  EXPECT_EQ(outcome_of({"--proxy", proxy_url()}, {}), "ok");
  EXPECT_EQ(outcome_of({"--proxy", proxy_url(), "--noproxy", "127.0.0.1"}, {}), "connection_error");
  // Under --transport auto (the default) and curl alike: http_proxy and ALL_PROXY are used...
  for (const char* transport : {"auto", "curl"}) {
    EXPECT_EQ(outcome_of({"--transport", transport}, {"http_proxy=" + proxy_url()}), "ok") << transport;
    EXPECT_EQ(outcome_of({"--transport", transport}, {"ALL_PROXY=" + proxy_url()}), "ok") << transport;
    // ... upper-case HTTP_PROXY is not, for http:// (libcurl's rule), and NO_PROXY excludes.
    EXPECT_EQ(outcome_of({"--transport", transport}, {"HTTP_PROXY=" + proxy_url()}), "connection_error") << transport;
    EXPECT_EQ(outcome_of({"--transport", transport}, {"http_proxy=" + proxy_url(), "NO_PROXY=127.0.0.1"}),
              "connection_error")
        << transport;
  }
  auto native = fetch({"--url", "http://127.0.0.1:9/x?id={}", "--transport", "native", "--proxy", proxy_url(), "1"});
  EXPECT_EQ(native.exit_code, 2) << native.err;
  EXPECT_NE(native.err.find("--proxy"), std::string::npos) << native.err;
}

}  // namespace
}  // namespace serentak
