#include "client/transport/curl/curl_outcome.hpp"

#include <cstdlib>
#include <string>
#include <vector>

#include "core/url_redaction.hpp"

namespace serentak::client {
namespace {

// The proxies libcurl may quote in an error, as they were given: --proxy and the variables it reads.
std::vector<std::string_view> proxies_in_use(std::string_view option) {
  std::vector<std::string_view> out{option};
  for (const char* name : {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}) {
    if (const char* value = std::getenv(name); value != nullptr) out.emplace_back(value);
  }
  return out;
}

}  // namespace

std::string redact_curl_error(std::string_view said, std::string_view proxy) {
  return redact_proxies_in_text(said, proxies_in_use(proxy));
}

transport_failure failure_of(const transfer_facts& facts) noexcept {
  // Checked first: our callbacks' refusals surface as CURLE_WRITE_ERROR, but they are facts about
  // the response (too large), not a local write failure.
  if (facts.body_over_limit || facts.head_over_limit) return transport_failure::reply_too_large;

  switch (facts.code) {
    case CURLE_OK: return transport_failure::none;

    case CURLE_OPERATION_TIMEDOUT: return transport_failure::timed_out;

    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_INTERFACE_FAILED:
    case CURLE_PROXY:
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
      return transport_failure::connect_failed;

    case CURLE_SEND_ERROR: return transport_failure::send_failed;
    case CURLE_RECV_ERROR: return transport_failure::recv_failed;
    case CURLE_GOT_NOTHING: return transport_failure::got_nothing;

    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
      return transport_failure::protocol_failed;

    case CURLE_PARTIAL_FILE:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_TOO_MANY_REDIRECTS:
    case CURLE_FILESIZE_EXCEEDED:
      return transport_failure::bad_reply;

    case CURLE_UNSUPPORTED_PROTOCOL:
      // One code for three stories: the user's URL has a refused scheme (nothing was sent), the
      // server redirected us to one, or it answered without an HTTP status line (HTTP/0.9).
      return facts.request_sent ? transport_failure::bad_reply : transport_failure::refused_request;

    case CURLE_URL_MALFORMAT: return transport_failure::refused_request;

    default: return transport_failure::local_failure;
  }
}

outcome classify_transfer(const transfer_facts& facts) noexcept {
  return classify_attempt(failure_of(facts), facts.http_status);
}

std::string describe_transfer(const transfer_facts& facts, const char* error_buffer, std::size_t max_body_bytes,
                              std::string_view proxy) {
  attempt_facts attempt{failure_of(facts), facts.http_status, facts.body_over_limit, facts.head_over_limit};
  std::string_view said =
      error_buffer != nullptr && error_buffer[0] != '\0' ? std::string_view(error_buffer) : curl_easy_strerror(facts.code);
  if (facts.code == CURLE_OK) return describe_attempt(attempt, max_body_bytes, max_response_head_bytes, said);
  // libcurl quotes a proxy whole in some errors, its password too: masked, as any URL shown is.
  return describe_attempt(attempt, max_body_bytes, max_response_head_bytes, redact_curl_error(said, proxy));
}

}  // namespace serentak::client
