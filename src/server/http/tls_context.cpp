#include "server/http/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <stdexcept>

#include "core/log_text.hpp"

namespace serentak::server {
namespace {

namespace ssl = boost::asio::ssl;

[[noreturn]] void refuse(const char* option, const std::string& file, const boost::system::error_code& ec) {
  throw std::invalid_argument(std::string(option) + " '" + escape_for_log(file) + "': " + escape_for_log(ec.message()));
}

// OpenSSL reports an unopenable file as a bare "asio.ssl error": say why first.
void require_readable(const char* option, const std::string& file) {
  if (::access(file.c_str(), R_OK) != 0) {
    throw std::invalid_argument(std::string(option) + " '" + escape_for_log(file) + "': " + std::strerror(errno));
  }
}

}  // namespace

std::unique_ptr<ssl::context> make_tls_context(const tls_files& files) {
  require_readable("--tls-cert", files.cert_file);
  require_readable("--tls-key", files.key_file);
  if (!files.client_ca_file.empty()) require_readable("--tls-client-ca", files.client_ca_file);
  auto context = std::make_unique<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  boost::system::error_code ec;
  context->use_certificate_chain_file(files.cert_file, ec);
  if (ec) refuse("--tls-cert", files.cert_file, ec);
  context->use_private_key_file(files.key_file, ssl::context::pem, ec);  // also checks it fits the certificate
  if (ec) refuse("--tls-key", files.key_file, ec);
  if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
    refuse("--tls-key", files.key_file,
           boost::system::error_code(static_cast<int>(ERR_get_error()), boost::asio::error::get_ssl_category()));
  }
  if (!files.client_ca_file.empty()) {
    context->load_verify_file(files.client_ca_file, ec);
    if (ec) refuse("--tls-client-ca", files.client_ca_file, ec);
    // Also name these CAs in the CertificateRequest, so a client can pick the right certificate.
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(files.client_ca_file.c_str());
    if (names != nullptr) SSL_CTX_set_client_CA_list(context->native_handle(), names);
    context->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert, ec);
    if (ec) refuse("--tls-client-ca", files.client_ca_file, ec);
  }
  return context;
}

}  // namespace serentak::server
