#pragma once
// Where a job lives: redis://[user:password@]host:port/NAME parsed into a value. The password is
// kept only to be sent with AUTH; display() never shows it, so every message names the server as
// host:port alone. rediss:// is TLS (redis_socket), verified against the system's trust store or
// ca_file; the files come from the command line (--redis-cacert, --redis-cert, --redis-key).
// Pure values; thread-safe.

#include <optional>
#include <string>
#include <string_view>

namespace serentak::queue {

struct redis_endpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string user;      // empty: AUTH with the password alone (Redis < 6 style), or no AUTH
  std::string password;  // empty: no AUTH; never printed
  bool tls = false;      // rediss://
  std::string ca_file;    // rediss://: trusted CAs (PEM); empty: the system's (or SSL_CERT_FILE)
  std::string cert_file;  // rediss://: a client certificate (PEM), for tls-auth-clients; empty: none
  std::string key_file;   // its key (PEM); empty: in cert_file
  std::string job;       // NAME: [A-Za-z0-9._-]{1,100}

  std::string display() const;  // "host:port", for messages
};

// Parses a job address. On failure returns nullopt and sets problem to a one-line reason that
// contains no part of the password.
std::optional<redis_endpoint> parse_redis_endpoint(std::string_view url, std::string& problem);

}  // namespace serentak::queue
