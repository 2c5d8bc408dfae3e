#include "support/test_pki.hpp"

#include <unistd.h>

#include <chrono>

#include "support/process_runner.hpp"

namespace serentak::testing {

bool openssl_available() { return ::access("/usr/bin/openssl", X_OK) == 0; }

test_pki make_test_pki(const std::filesystem::path& dir, const std::string& server_names) {
  test_pki pki;
  pki.ca_cert = dir / "ca.pem";
  pki.server_cert = dir / "server.pem";
  pki.server_key = dir / "server.key";
  pki.client_cert = dir / "client.pem";
  pki.client_key = dir / "client.key";
  // One shell script, so a failing step stops the rest and its message comes back whole.
  const std::string script = R"(set -e
cd "$1"
key='-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes'
openssl req -x509 $key -keyout ca.key -out ca.pem -days 2 -subj /CN=serentak-test-ca \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>&1
printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$2" > server.ext
openssl req $key -keyout server.key -out server.csr -subj /CN=127.0.0.1 2>&1
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile server.ext -out server.pem 2>&1
printf 'extendedKeyUsage=clientAuth\n' > client.ext
openssl req $key -keyout client.key -out client.csr -subj /CN=serentak-test-client 2>&1
openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile client.ext -out client.pem 2>&1
)";
  process_result r = run_process({"/bin/sh", "-c", script, "make_test_pki", dir.string(), server_names}, std::chrono::seconds(60));
  if (r.exit_code != 0) pki.error = "openssl failed (exit " + std::to_string(r.exit_code) + "): " + r.out + r.err;
  return pki;
}

std::vector<std::string> clean_env_command() {
  std::vector<std::string> argv{"/usr/bin/env"};
  for (const char* name : {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy",
                           "NO_PROXY", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR"}) {
    argv.insert(argv.end(), {"-u", name});
  }
  return argv;
}

}  // namespace serentak::testing
