// `serentak monitor`'s [HEADER].name and [CERTIFICATE_EXPIRATION] conditions against the real mock
// server, plain (the native transport) and over HTTPS with a throwaway CA (libcurl, verified with the
// endpoint's ca-file). The certificate is valid for two days, so "> 24h" must pass and "> 72h" must
// fail with the time left shown; a header the server does not send fails as missing. What is
// asserted is what lands in the history, which is what an operator reads afterwards.
#include <chrono>
#include <csignal>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "monitor/history_store.hpp"
#include "support/child_process.hpp"
#include "support/file_text.hpp"
#include "support/polling.hpp"
#include "support/serve_process.hpp"
#include "support/test_paths.hpp"
#include "support/test_pki.hpp"

namespace serentak {
namespace {

using namespace std::chrono_literals;
using testing::binary_path;

std::string endpoint(const std::string& name, const std::string& url, const std::string& extra,
                     const std::vector<std::string>& conditions) {
  std::string text = "  - name: " + name + "\n    url: " + url + "\n" + extra + "    conditions:\n";
  for (const std::string& c : conditions) text += "      - \"" + c + "\"\n";
  return text;
}

// The failed conditions of an endpoint's checks, as {condition, seen} pairs from the history.
std::vector<std::pair<std::string, std::string>> failures_of(const monitor::check_record& r) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& f : nlohmann::json::parse(r.failed_conditions)) out.emplace_back(f.at("condition"), f.at("seen"));
  return out;
}

TEST(monitor_tls_conditions, headers_on_both_transports_and_the_certificates_time_left_are_judged) {
  ASSERT_TRUE(testing::openssl_available()) << "/usr/bin/openssl is missing: run scripts/install-deps.sh --test";
  testing::scratch_dir dir;
  const testing::test_pki pki = testing::make_test_pki(dir.path());
  ASSERT_TRUE(pki.error.empty()) << pki.error;
  testing::serve_process plain({"--quiet", "--delay-scale", "0", "--threads", "1"});
  testing::serve_process tls({"--quiet", "--delay-scale", "0", "--threads", "1", "--tls-cert", pki.server_cert.string(),
                              "--tls-key", pki.server_key.string()});
  ASSERT_NE(plain.port(), 0);
  ASSERT_NE(tls.port(), 0);
  const std::string path = "/get_weather?city=Jakarta";
  const std::string http = "http://127.0.0.1:" + std::to_string(plain.port()) + path;
  const std::string https = "https://127.0.0.1:" + std::to_string(tls.port()) + path;
  const std::string ca = "    ca-file: " + pki.ca_cert.string() + "\n";

  const std::string text = "defaults:\n  interval: 100ms\n  timeout: 3s\nendpoints:\n" +
                           endpoint("plain-json", http, "", {"[HEADER].Content-Type == pat(application/json*)"}) +
                           endpoint("plain-missing", http, "", {"[HEADER].x-build == 42"}) +
                           endpoint("tls-json", https, ca,
                                    {"[HEADER].content-type == pat(application/json*)", "[CERTIFICATE_EXPIRATION] > 24h"}) +
                           endpoint("tls-expiring", https, ca, {"[CERTIFICATE_EXPIRATION] > 72h"});
  const auto file = dir.path() / "tls.yaml";
  testing::write_file(file, text);
  const auto db = dir.path() / "tls.db";

  testing::child_process monitor({binary_path().string(), "monitor", file.string(), "--db", db.string(), "--no-log"},
                                 dir.path() / "run");
  const std::vector<std::string> names{"plain-json", "plain-missing", "tls-json", "tls-expiring"};
  const bool enough = testing::wait_for(
      [&] {
        monitor::history_store store(db.string());
        for (const auto& name : names) {
          if (store.checks(name, {}).size() < 3) return false;
        }
        return true;
      },
      15s);
  monitor.signal(SIGTERM);
  const auto status = monitor.wait(10s);
  ASSERT_TRUE(enough) << "not every endpoint was checked 3 times; stderr: " << monitor.err();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 143) << monitor.err();

  monitor::history_store store(db.string());
  for (const auto& r : store.checks("plain-json", {})) EXPECT_TRUE(r.passed) << r.failed_conditions;
  for (const auto& r : store.checks("tls-json", {})) EXPECT_TRUE(r.passed) << r.outcome << " " << r.failed_conditions;
  for (const auto& r : store.checks("plain-missing", {})) {
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.status, 200);
    const auto failed = failures_of(r);
    ASSERT_EQ(failed.size(), 1u) << r.failed_conditions;
    EXPECT_EQ(failed[0].first, "[HEADER].x-build == 42");
    EXPECT_NE(failed[0].second.find("no header 'x-build'"), std::string::npos) << failed[0].second;
  }
  for (const auto& r : store.checks("tls-expiring", {})) {
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.status, 200) << "the handshake and the request succeeded; only the time left fails";
    const auto failed = failures_of(r);
    ASSERT_EQ(failed.size(), 1u) << r.failed_conditions;
    // Two days minus the seconds since the certificate was made: "1d23h59m..." style.
    EXPECT_TRUE(failed[0].second.starts_with("1d23h") || failed[0].second.starts_with("2d")) << failed[0].second;
  }
}

}  // namespace
}  // namespace serentak
