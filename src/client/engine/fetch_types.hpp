#pragma once
// The values that flow through the client engine: what to fetch, how, and what came of it.
// Plain values; each is owned by one thread at a time (handed over, never shared).

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/outcome.hpp"
#include "core/request_shape.hpp"

namespace serentak::client {

// One unit of work. index is the item's position in the input (0-based), used for "Worker-<index>".
struct fetch_request {
  std::size_t index = 0;
  std::string item;  // as the user gave it (untrusted; escape before logging)
  std::string url;   // the full URL (method, headers and body: fetch_policy::request)
};

// Which HTTP version to ask libcurl for.
enum class http_wish {
  any,     // curl's default: HTTP/1.1 on http://, HTTP/2 by ALPN when the server offers it on https://
  http1_1, // --http1.1: HTTP/1.1 only
  http2,   // --http2: ALPN h2 over TLS, prior knowledge (h2c) on plain http://; curl transport only
};

// TLS, proxy and HTTP-version settings, for libcurl only (the native transport carries plain
// http:// to origin servers); set once per easy handle in transfer::configure. Empty: curl's
// default. The CLI has checked that every file named here exists and is readable.
struct connection_options {
  std::string ca_file;          // --cacert (or CURL_CA_BUNDLE / SSL_CERT_FILE): PEM bundle to verify against
  std::string ca_path;          // --capath (or SSL_CERT_DIR): a c_rehash'ed directory of CA certificates
  bool insecure = false;        // -k: verify neither the peer's certificate nor its name
  std::string client_cert_file; // --cert: PEM client certificate (mutual TLS)
  std::string client_key_file;  // --key: its PEM private key; empty: the key is in client_cert_file
  std::string proxy;            // --proxy URL; empty: the environment's, as libcurl reads it
  std::string noproxy;          // --noproxy LIST: hosts never proxied ("*": none); empty: NO_PROXY's
  http_wish http = http_wish::any;  // --http2 / --http1.1
};

struct fetch_policy {
  std::chrono::milliseconds timeout{5000};         // whole attempt, connect included; > 0
  std::chrono::milliseconds connect_timeout{0};    // 0: bounded only by timeout
  std::size_t max_body_bytes = 8 * 1024 * 1024;    // decoded bytes kept; more -> invalid_response
  bool follow_redirects = false;                   // http/https targets only, at most max_redirects
  long max_redirects = 5;
  // Method, header lines and body of every request of the run, "{}" filled per item (a GET with
  // User-Agent serentak/<version> by default). Read by both transports, never changed in a run.
  request_shape request;
  connection_options connection;                   // TLS, proxy, HTTP version (curl only)
  // Response headers whose values each result carries (fetch_result::headers), lower-cased names;
  // empty: none (the default: a fetch keeps no headers). `serentak monitor`'s [HEADER] conditions.
  std::vector<std::string> kept_headers;
  // Each result carries the peer certificate's expiry (https, curl transport). Every request then
  // opens a fresh connection, so a certificate replaced on the server is seen at the next request.
  bool want_certificate = false;
};

// The result of one attempt (fetch_observer::on_retry) or the final result of one item
// (on_finish, exactly one per fetch_request).
struct fetch_result {
  outcome kind = outcome::unexpected;
  long http_status = 0;            // 0 when no HTTP response was received
  std::string body;                // at most policy.max_body_bytes
  std::string error;               // why, for transport failures (curl's text); empty otherwise
  std::string_view http_version;   // "1.0", "1.1", "2", "3" of the response; empty when none came
  int attempts = 1;                      // attempts made, retries included (>= 1 once admitted)
  std::chrono::microseconds latency{0};  // the final attempt alone: from it being sent to its outcome
  std::chrono::microseconds total{0};    // from the first attempt being sent to the final outcome,
                                         // backoff waits and earlier attempts included
  // The final response's headers named in policy.kept_headers, in arrival order (name lower-cased,
  // value as sent, bounded by the head limit); empty unless asked for.
  std::vector<std::pair<std::string, std::string>> headers;
  // The peer's leaf certificate's notAfter, when policy.want_certificate and a TLS handshake ran.
  std::optional<std::chrono::system_clock::time_point> certificate_expires;
};

}  // namespace serentak::client
