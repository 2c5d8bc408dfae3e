#pragma once
// What went wrong below HTTP in one attempt, in serentak's own words. Each transport reports one
// of these: the native transport directly, libcurl through one mapping of its CURLcode
// (transport/curl/curl_outcome). classify_attempt() is then the one place that turns a failure and
// an HTTP status into an outcome, for both. Pure values; safe from any thread.

#include <cstddef>
#include <string>
#include <string_view>

#include "core/outcome.hpp"

namespace serentak {

enum class transport_failure {
  none,             // the exchange completed: the HTTP status decides
  timed_out,        // the attempt's deadline (or its connect deadline) passed
  connect_failed,   // refused, unreachable, DNS, proxy, TLS handshake or certificate
  send_failed,      // the request could not be written (reset, broken pipe)
  recv_failed,      // the connection failed while the answer was read (reset; a chunked framing
                    // error, as libcurl reports it)
  got_nothing,      // the server closed without a byte of answer
  protocol_failed,  // HTTP/2 or HTTP/3 framing failed below the reply
  bad_reply,        // a reply that cannot be used as HTTP: a bad or HTTP/0.9 head, a body cut short
                    // by a close, a refused content coding, too many redirects or a redirect to a
                    // scheme we refuse
  reply_too_large,  // the head or the body passed serentak's caps
  refused_request,  // the request cannot be made as given: a malformed URL, a scheme refused
                    // before anything was sent
  local_failure,    // out of memory, a local write failure, anything else
};

std::string_view to_string(transport_failure f) noexcept;

// none -> classify_status(http_status); timed_out -> timeout; connect, send, receive, nothing and
// protocol failures -> connection_error (retryable: another attempt can help); bad and too large
// replies -> invalid_response (the server's doing); a refused request or a local failure ->
// unexpected (never retried).
outcome classify_attempt(transport_failure failure, long http_status) noexcept;

// What one attempt came to, as either transport reports it.
struct attempt_facts {
  transport_failure failure = transport_failure::none;
  long http_status = 0;          // 0 when no response head was read
  bool body_over_limit = false;  // the body passed max_body_bytes (failure: reply_too_large)
  bool head_over_limit = false;  // the head passed the head cap (failure: reply_too_large)
};

// The text for fetch_result::error: "" for a clean HTTP exchange; our own words for the caps and
// for a status no outcome fits; else transport_text, the transport's own words (it names host,
// port, errno).
std::string describe_attempt(const attempt_facts& facts, std::size_t max_body_bytes, std::size_t max_head_bytes,
                             std::string_view transport_text);

}  // namespace serentak
