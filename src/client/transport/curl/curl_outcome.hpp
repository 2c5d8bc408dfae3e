#pragma once
// Where a finished libcurl transfer's CURLcode becomes serentak's own transport_failure (the one
// mapping of libcurl's codes); core's classify_attempt() then gives the outcome, as it does for the
// native transport. Pure functions of the facts below; thread-safe. The outcomes, by CURLcode:
//
//   CURLE_OK                                   -> classify_status(http_status)
//   body over policy.max_body_bytes (our cap)  -> invalid_response
//   response head over max_response_head_bytes (our cap, or a header line over libcurl's,
//     which libcurl 7.88 reports as OUT_OF_MEMORY) -> invalid_response
//   OPERATION_TIMEDOUT                         -> timeout
//   network failures: COULDNT_CONNECT, COULDNT_RESOLVE_HOST/PROXY, SEND_ERROR, RECV_ERROR
//     (also a reset mid-body), GOT_NOTHING, SSL_*, PEER_FAILED_VERIFICATION, HTTP2(_STREAM),
//     HTTP3, QUIC_CONNECT_ERROR, PROXY, INTERFACE_FAILED
//                                              -> connection_error
//   the server's reply is unusable: PARTIAL_FILE (body shorter than Content-Length),
//     WEIRD_SERVER_REPLY, BAD_CONTENT_ENCODING, TOO_MANY_REDIRECTS, FILESIZE_EXCEEDED,
//     UNSUPPORTED_PROTOCOL once a request was sent (a redirect to file://, ftp://, ...; or a
//     reply without an HTTP status line, which curl calls HTTP/0.9 and refuses)
//                                              -> invalid_response
//   the request could not be made as given, or a local failure: URL_MALFORMAT,
//     UNSUPPORTED_PROTOCOL before anything was sent (the user's own file:// or ftp:// URL),
//     OUT_OF_MEMORY, WRITE_ERROR not caused by our cap, anything else
//                                              -> unexpected (never retried)
//
// Why: connection_error and timeout are retryable (core/outcome.hpp), so they are kept for
// failures where another attempt can help; a reply that arrived broken or points somewhere we
// refuse to go is the server's doing (invalid_response); a URL we refuse is the input's.

#include <curl/curl.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "core/outcome.hpp"
#include "core/transport_failure.hpp"

namespace serentak::client {

// The largest response head (status line and header fields) either transport reads: libcurl's
// CURL_MAX_HTTP_HEADER. 1 MB of headers is refused here, not buffered.
inline constexpr std::size_t max_response_head_bytes = 100 * 1024;

struct transfer_facts {
  CURLcode code = CURLE_OK;
  long http_status = 0;          // CURLINFO_RESPONSE_CODE; 0 when no response was received
  bool request_sent = false;     // CURLINFO_REQUEST_SIZE > 0: we reached a server and spoke
  bool body_over_limit = false;  // our write callback refused the body (CURLE_WRITE_ERROR)
  bool head_over_limit = false;  // the response head passed max_response_head_bytes
};

transport_failure failure_of(const transfer_facts& facts) noexcept;
// classify_attempt(failure_of(facts), facts.http_status).
outcome classify_transfer(const transfer_facts& facts) noexcept;

// libcurl's error text as it may be shown: every URL in it redacted, and proxy (--proxy) and the
// proxy variables libcurl reads masked wherever it quotes them as given (one without a scheme has
// no "://" to find: "Unsupported proxy syntax in 'user:secret@[bad'").
std::string redact_curl_error(std::string_view said, std::string_view proxy = {});

// The text for fetch_result::error: "" for a clean HTTP exchange, our own words for the caps,
// else curl's error buffer when it has one (it names host, port, errno), else curl_easy_strerror.
// curl's text is redacted (redact_curl_error).
std::string describe_transfer(const transfer_facts& facts, const char* error_buffer, std::size_t max_body_bytes,
                              std::string_view proxy = {});

}  // namespace serentak::client
