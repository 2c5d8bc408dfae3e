#pragma once
// A throwaway certificate authority for one test, made at run time with the `openssl` command in
// a scratch folder: a CA, a server certificate for 127.0.0.1 and localhost signed by it, and a
// client certificate (for mutual TLS) signed by it. P-256 keys, valid for two days.

#include <filesystem>
#include <string>
#include <vector>

namespace serentak::testing {

struct test_pki {
  std::filesystem::path ca_cert;      // ca.pem
  std::filesystem::path server_cert;  // server.pem (SAN IP:127.0.0.1, DNS:localhost unless told)
  std::filesystem::path server_key;   // server.key
  std::filesystem::path client_cert;  // client.pem (extendedKeyUsage clientAuth)
  std::filesystem::path client_key;   // client.key
  std::string error;                  // non-empty: making them failed (openssl's output)
};

bool openssl_available();
// Writes the files into dir (which must exist). server_names: the server certificate's
// subjectAltName entries.
test_pki make_test_pki(const std::filesystem::path& dir, const std::string& server_names = "IP:127.0.0.1,DNS:localhost");

// argv prefix running a command with no proxy or CA variables from the test's own environment
// ("/usr/bin/env -u http_proxy ..."), so a developer's settings cannot change what is tested.
std::vector<std::string> clean_env_command();

}  // namespace serentak::testing
