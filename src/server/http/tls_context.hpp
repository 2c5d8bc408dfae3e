#pragma once
// The OpenSSL context of an HTTPS mock server (serve --tls-cert/--tls-key, --tls-client-ca for
// mutual TLS). Made once at start-up; after that only read, by every I/O thread at once (OpenSSL
// makes an SSL_CTX safe to share for creating connections).

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

namespace serentak::server {

struct tls_files {
  std::string cert_file;       // PEM certificate chain, the server's first
  std::string key_file;        // PEM private key of the first certificate
  std::string client_ca_file;  // PEM CA bundle; set: a client certificate is required and verified
};

// TLS 1.2 and 1.3; ALPN is not offered, so clients speak HTTP/1.1. Throws std::invalid_argument
// naming the option and file with OpenSSL's reason ("--tls-key 'k.pem': key values mismatch"), or
// the system's for a file that cannot be read ("No such file or directory").
std::unique_ptr<boost::asio::ssl::context> make_tls_context(const tls_files& files);

}  // namespace serentak::server
