// `serentak job` over rediss:// against a real redis-server with TLS on (its tls-port, a throwaway
// CA made by the test): push, a worker and collect carry a whole job over TLS with a password;
// an untrusted certificate, a certificate naming another address or name, a plain port spoken to in TLS,
// a server that wants a client certificate and TLS options on a redis:// address are each one
// line and exit 2, and the password never shows; Ctrl-C during a handshake that gets no answer ends
// the command at once.
#include <algorithm>
#include <csignal>
#include <fstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "support/child_process.hpp"
#include "support/job_harness.hpp"
#include "support/redis_server.hpp"
#include "support/scripted_http_server.hpp"
#include "support/serve_process.hpp"
#include "support/test_paths.hpp"
#include "support/test_pki.hpp"

namespace serentak {
namespace {

using namespace std::chrono_literals;
using testing::line_count;
using testing::run_job;

// redis-server's TLS options on a second port; the plain port stays for the harness's readiness.
std::vector<std::string> tls_options(const testing::test_pki& pki, unsigned short tls_port, bool want_client_cert) {
  return {"--tls-port",         std::to_string(tls_port),
          "--tls-cert-file",    pki.server_cert.string(),
          "--tls-key-file",     pki.server_key.string(),
          "--tls-ca-cert-file", pki.ca_cert.string(),
          "--tls-auth-clients", want_client_cert ? "yes" : "no"};
}

TEST(job_tls, a_whole_job_goes_over_rediss_with_a_private_ca_and_a_password) {
  ASSERT_TRUE(testing::openssl_available()) << "/usr/bin/openssl (scripts/install-deps.sh)";
  testing::scratch_dir dir;
  const testing::test_pki pki = testing::make_test_pki(dir.path(), "IP:127.0.0.1");  // no DNS name
  ASSERT_TRUE(pki.error.empty()) << pki.error;
  const unsigned short tls_port = testing::free_loopback_port();
  std::vector<std::string> extra = tls_options(pki, tls_port, false);
  extra.insert(extra.end(), {"--requirepass", "pa55-Secret"});
  testing::redis_server redis(dir.path(), extra);
  testing::serve_process serve({"--quiet", "--delay-scale", "0"});
  ASSERT_NE(serve.port(), 0);

  const std::string job = "rediss://default:pa55-Secret@127.0.0.1:" + std::to_string(tls_port) + "/tls";
  const std::string ca = pki.ca_cert.string();
  auto push = run_job({"push", job, "--redis-cacert", ca, "--url", serve.base_url() + "/check_book_status?isbn={}",
                       "-i", testing::write_items(dir.path(), 50)});
  ASSERT_EQ(push.exit_code, 0) << push.err;
  EXPECT_NE(push.out.find("50 items, 50 added"), std::string::npos) << push.out;
  EXPECT_EQ(testing::stream_items(redis, "tls"), "50") << "the items reached Redis through the TLS port";

  auto worker = testing::start_worker(job, {"--redis-cacert", ca, "-c", "10", "--threads", "1"}, dir.path(), "w");
  auto status = worker->wait(60s);
  ASSERT_TRUE(status.has_value()) << worker->err();
  EXPECT_EQ(*status, 0) << worker->err();
  EXPECT_NE(worker->out().find("job complete"), std::string::npos) << worker->out();

  const auto out = dir.path() / "collected.jsonl";
  auto collect = run_job({"collect", job, "--redis-cacert", ca, "-o", out.string()});
  ASSERT_EQ(collect.exit_code, 0) << collect.err;
  std::ifstream file(out);
  std::size_t records = 0;
  for (std::string line; std::getline(file, line);) ++records;
  EXPECT_EQ(records, 50U);
  // The certificate names 127.0.0.1 only: by host name it is refused, though the name resolves there.
  auto by_name = run_job({"status", "rediss://default:pa55-Secret@localhost:" + std::to_string(tls_port) + "/tls",
                          "--redis-cacert", ca});
  EXPECT_EQ(by_name.exit_code, 2);
  EXPECT_EQ(line_count(by_name.err), 1U) << by_name.err;
  EXPECT_NE(by_name.err.find("TLS: certificate verify failed (hostname mismatch)"), std::string::npos) << by_name.err;
  for (const std::string& text :
       {push.out, push.err, worker->out(), worker->err(), collect.out, collect.err, by_name.out, by_name.err}) {
    EXPECT_EQ(text.find("pa55-Secret"), std::string::npos) << "the password must never be shown";
  }
}

TEST(job_tls, untrusted_misnamed_plain_and_client_certificate_refusals_are_one_line_and_exit_2) {
  ASSERT_TRUE(testing::openssl_available()) << "/usr/bin/openssl (scripts/install-deps.sh)";
  testing::scratch_dir dir;
  const testing::test_pki pki = testing::make_test_pki(dir.path());
  ASSERT_TRUE(pki.error.empty()) << pki.error;
  const unsigned short tls_port = testing::free_loopback_port();
  std::vector<std::string> extra = tls_options(pki, tls_port, true);
  // Also on 127.0.0.2, an address the server certificate does not name (it names 127.0.0.1 and localhost).
  extra.insert(extra.end(), {"--bind", "127.0.0.1", "127.0.0.2"});
  testing::redis_server redis(dir.path(), extra);
  const std::string port = std::to_string(tls_port);
  const std::string ca = pki.ca_cert.string();
  const std::string client_cert = pki.client_cert.string();
  const std::string client_key = pki.client_key.string();
  const std::vector<std::string> with_client{"--redis-cacert", ca, "--redis-cert", client_cert, "--redis-key", client_key};

  auto expect_refused = [](const testing::process_result& r, const std::string& wanted) {
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(line_count(r.err), 1U) << r.err;
    EXPECT_NE(r.err.find(wanted), std::string::npos) << r.err;
    const auto first = r.err.find("Redis at ");
    if (first != std::string::npos) {
      EXPECT_EQ(r.err.find("Redis at ", first + 1), std::string::npos) << "said twice: " << r.err;
    }
    EXPECT_EQ(r.out, "");
  };

  // The system's trust store does not know the test's CA.
  expect_refused(run_job({"status", "rediss://127.0.0.1:" + port + "/x", "--redis-cert", client_cert, "--redis-key",
                          client_key}),
                 "certificate verify failed");
  // A certificate for 127.0.0.1 and localhost does not do for 127.0.0.2.
  std::vector<std::string> misnamed{"status", "rediss://127.0.0.2:" + port + "/x"};
  misnamed.insert(misnamed.end(), with_client.begin(), with_client.end());
  expect_refused(run_job(misnamed), "IP address mismatch");
  // The server wants a client certificate: without one the first command is refused.
  expect_refused(run_job({"status", "rediss://127.0.0.1:" + port + "/x", "--redis-cacert", ca}),
                 "the server asks for a client certificate: --redis-cert");
  // TLS spoken to the plain port gets no handshake back.
  std::vector<std::string> plain{"status", "rediss://127.0.0.1:" + std::to_string(redis.port()) + "/x"};
  plain.insert(plain.end(), with_client.begin(), with_client.end());
  expect_refused(run_job(plain, 30s), "TLS: handshake timed out (is this the server's tls-port?)");
  // TLS files with a redis:// address are a mistake, said before anything is dialled.
  expect_refused(run_job({"status", redis.url("x"), "--redis-cacert", ca}), "are for a rediss:// (TLS) address");
  // A CA file that is not there.
  expect_refused(run_job({"status", "rediss://127.0.0.1:" + port + "/x", "--redis-cacert",
                          (dir.path() / "missing.pem").string()}),
                 "cannot read the CA file");

  // With the client certificate, by name as well as by IP, it works: a missing job is the next error.
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    std::vector<std::string> good{"status", "rediss://" + host + ":" + port + "/nosuchjob"};
    good.insert(good.end(), with_client.begin(), with_client.end());
    expect_refused(run_job(good), "no job 'nosuchjob'");
  }
}

// A stopping worker's TLS writes must heed the stop's deadline like plain ones: a blocking SSL_write of
// a batch of large records sat in write(2) as long as Redis took a byte now and then (14 s to exit).
TEST(job_tls, sigterm_ends_a_worker_within_about_a_second_while_a_large_tls_write_waits) {
  ASSERT_TRUE(testing::openssl_available()) << "/usr/bin/openssl (scripts/install-deps.sh)";
  testing::scratch_dir dir;
  const testing::test_pki pki = testing::make_test_pki(dir.path(), "IP:127.0.0.1");
  ASSERT_TRUE(pki.error.empty()) << pki.error;
  const unsigned short tls_port = testing::free_loopback_port();
  testing::redis_server redis(dir.path(), tls_options(pki, tls_port, false));
  const std::string big = "{\"blob\":\"" + std::string(6 << 20, 'x') + "\"}";  // 6 MiB records
  testing::scripted_http_server api([&big](const testing::scripted_request&) {
    return testing::scripted_reply::respond(200, big).with_header("Content-Type", "application/json");
  });
  const std::string job = "rediss://127.0.0.1:" + std::to_string(tls_port) + "/large";
  const std::string ca = pki.ca_cert.string();
  ASSERT_EQ(run_job({"push", job, "--redis-cacert", ca, "--url", api.url("/p?id={}"), "-i",
                     testing::write_items(dir.path(), 40)})
                .exit_code,
            0);
  auto worker = testing::start_worker(job, {"--redis-cacert", ca, "-c", "4"}, dir.path(), "w");
  ASSERT_TRUE(testing::wait_for_records(redis, "large", 1, 10s)) << worker->err();
  redis.signal(SIGSTOP);                // the next batch fills the socket's buffers and waits
  std::this_thread::sleep_for(800ms);
  const auto signalled = std::chrono::steady_clock::now();
  worker->signal(SIGTERM);
  auto status = worker->wait(10s);
  const auto took = std::chrono::steady_clock::now() - signalled;
  redis.signal(SIGCONT);
  ASSERT_TRUE(status.has_value()) << worker->err();
  EXPECT_EQ(*status, 143) << worker->err();
  EXPECT_LT(took, 2500ms) << "the TLS write did not heed the stop: " << worker->err();
}

// A handshake waits on the server's answer, up to the 2 s connect timeout; a stopped Redis's
// kernel (or a plain port) accepts the connection and never answers. Ctrl-C must not wait that out.
TEST(job_tls, ctrl_c_during_a_handshake_that_gets_no_answer_exits_130_at_once) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  const std::vector<std::string> argv{testing::binary_path().string(), "job", "status",
                                      "rediss://127.0.0.1:" + std::to_string(redis.port()) + "/x"};
  for (int attempt = 0; attempt < 2; ++attempt) {
    testing::child_process c(argv, dir.path() / ("status" + std::to_string(attempt)));
    ASSERT_TRUE(c.wait_until_watching(10s));
    // Signals are held from the process's first line, so "watching" does not mean connected (a slow
    // TSan start had not dialled after 300 ms): wait until Redis lists the connection (two clients,
    // with redis-cli's own), then Ctrl-C at once or well into the handshake's 2 s.
    bool dialled = false;
    for (int i = 0; i < 500 && !dialled; ++i) {
      const std::string clients = redis.cli({"CLIENT", "LIST"});
      dialled = std::count(clients.begin(), clients.end(), '\n') >= 1;
      if (!dialled) std::this_thread::sleep_for(20ms);
    }
    ASSERT_TRUE(dialled) << c.err();
    std::this_thread::sleep_for(attempt == 0 ? 50ms : 1000ms);
    const auto signalled = std::chrono::steady_clock::now();
    c.signal(SIGINT);
    auto status = c.wait(2s);
    ASSERT_TRUE(status.has_value()) << "Ctrl-C was ignored during the handshake";
    EXPECT_EQ(*status, 130) << c.err();
    EXPECT_NE(c.err().find("interrupted"), std::string::npos) << c.err();
    EXPECT_LT(std::chrono::steady_clock::now() - signalled, 600ms)
        << "waited for the handshake's timeout: " << c.err();
  }
}

}  // namespace
}  // namespace serentak
