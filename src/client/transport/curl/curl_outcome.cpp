#include "client/transport/curl/curl_outcome.hpp"

#include <string>

namespace serentak::client {

outcome classify_transfer(const transfer_facts& facts) noexcept {
  // Checked first: our callbacks' refusals surface as CURLE_WRITE_ERROR, but they are facts about
  // the response (too large), not a local write failure.
  if (facts.body_over_limit || facts.head_over_limit) return outcome::invalid_response;

  switch (facts.code) {
    case CURLE_OK: return classify_status(facts.http_status);

    case CURLE_OPERATION_TIMEDOUT: return outcome::timeout;

    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_INTERFACE_FAILED:
    case CURLE_PROXY:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
    case CURLE_QUIC_CONNECT_ERROR:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
      return outcome::connection_error;

    case CURLE_PARTIAL_FILE:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_TOO_MANY_REDIRECTS:
    case CURLE_FILESIZE_EXCEEDED:
      return outcome::invalid_response;

    case CURLE_UNSUPPORTED_PROTOCOL:
      // One code for three stories: the user's URL has a refused scheme (nothing was sent), the
      // server redirected us to one, or it answered without an HTTP status line (HTTP/0.9).
      return facts.request_sent ? outcome::invalid_response : outcome::unexpected;

    default: return outcome::unexpected;
  }
}

std::string describe_transfer(const transfer_facts& facts, const char* error_buffer,
                              std::size_t max_body_bytes) {
  if (facts.body_over_limit) return "response body exceeds " + std::to_string(max_body_bytes) + " bytes";
  if (facts.head_over_limit) return "response headers exceed " + std::to_string(max_response_head_bytes) + " bytes";
  if (facts.code == CURLE_OK) {
    if (classify_status(facts.http_status) == outcome::invalid_response) {
      return "unexpected HTTP status " + std::to_string(facts.http_status);
    }
    return {};
  }
  if (error_buffer != nullptr && error_buffer[0] != '\0') return error_buffer;
  return curl_easy_strerror(facts.code);
}

}  // namespace serentak::client
