#include "client/engine/transfer.hpp"

#include <new>
#include <stdexcept>
#include <string_view>

#include "client/engine/kept_headers.hpp"
#include "client/transport/curl/certificate_expiry.hpp"
#include "client/transport/curl/curl_outcome.hpp"
#include "client/transport/transport_choice.hpp"
#include "core/retry_policy.hpp"

namespace serentak::client {
namespace {

bool starts_with_nocase(std::string_view text, std::string_view prefix) noexcept {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

// libcurl refuses a single header line over its CURL_MAX_HTTP_HEADER before our header callback
// sees it, with OUT_OF_MEMORY in 7.88 (TOO_LARGE from 8.6): while a response head is being read,
// that is the server's line, not our memory.
bool is_curls_header_line_cap(CURLcode code) noexcept {
#if LIBCURL_VERSION_NUM >= 0x080600
  if (code == CURLE_TOO_LARGE) return true;
#endif
  return code == CURLE_OUT_OF_MEMORY;
}

// CURLINFO_HTTP_VERSION of the last response, as the results file writes it.
std::string_view http_version_of(CURL* easy) noexcept {
  long version = 0;
  if (curl_easy_getinfo(easy, CURLINFO_HTTP_VERSION, &version) != CURLE_OK) return "";
  switch (version) {
    case CURL_HTTP_VERSION_1_0: return "1.0";
    case CURL_HTTP_VERSION_1_1: return "1.1";
    case CURL_HTTP_VERSION_2_0: return "2";
    case CURL_HTTP_VERSION_3: return "3";
    default: return "";
  }
}

}  // namespace

transfer::transfer(long receive_buffer_bytes) : receive_buffer_bytes_(receive_buffer_bytes) {}

CURLcode transfer::configure(const fetch_policy& policy) {
  CURL* easy = easy_.get();
  // Each setopt is checked: a failure must become the item's outcome, not a transfer that runs
  // with half its options.
  const auto options = {
      set_pointer(easy, CURLOPT_PRIVATE, this),
      curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &transfer::on_body),
      set_pointer(easy, CURLOPT_WRITEDATA, this),
      curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &transfer::on_header),
      set_pointer(easy, CURLOPT_HEADERDATA, this),
      set_pointer(easy, CURLOPT_ERRORBUFFER, error_buffer_.data()),
      set_long(easy, CURLOPT_NOSIGNAL, 1L),  // threads: never use SIGALRM for DNS timeouts
      // http and https only, for the first URL and every redirect: no file://, ftp://, ...
      set_text(easy, CURLOPT_PROTOCOLS_STR, "http,https"),
      set_text(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"),
      set_long(easy, CURLOPT_FOLLOWLOCATION, policy.follow_redirects ? 1L : 0L),
      set_long(easy, CURLOPT_MAXREDIRS, policy.max_redirects),
      // The deadline runs from curl_multi_add_handle: time spent waiting for a slot, a backoff
      // or a rate-limit token is not in it.
      set_long(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(policy.timeout.count())),
      policy.connect_timeout.count() > 0
          ? set_long(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(policy.connect_timeout.count()))
          : CURLE_OK,
      // "": every encoding curl can decode, so a body sent compressed although not asked for is
      // decoded; the write callback then sees decoded bytes, so max_body_bytes bounds what we
      // keep, and a compression bomb is cut off like any big body. What is asked for is the
      // Accept-Encoding line of policy.request (identity unless the user says otherwise), which
      // replaces the one this option would send.
      set_text(easy, CURLOPT_ACCEPT_ENCODING, ""),
      set_request_shape(policy.request),
      receive_buffer_bytes_ > 0 ? set_long(easy, CURLOPT_BUFFERSIZE, receive_buffer_bytes_) : CURLE_OK,
      forbid_reuse_ ? set_long(easy, CURLOPT_FORBID_REUSE, 1L) : CURLE_OK,
      // The certificate is read from each request's own handshake; a connection that is never
      // reused is not kept idle either.
      policy.want_certificate ? set_long(easy, CURLOPT_CERTINFO, 1L) : CURLE_OK,
      policy.want_certificate ? set_long(easy, CURLOPT_FORBID_REUSE, 1L) : CURLE_OK,
  };
  for (CURLcode code : options) {
    if (code != CURLE_OK) return code;
  }
  const CURLcode tls = configure_tls_and_proxy(easy, policy);
  if (tls != CURLE_OK) return tls;
  configured_ = true;
  return CURLE_OK;
}

// The run's method and header lines, set once per handle. Every line, User-Agent and Accept
// included, goes in the custom list, so curl writes them in the list's order right after Host,
// as the native transport does; then (with a body) Content-Length, as the native transport does.
// "Expect:" turns off curl's 100-continue for a large body (the native transport never waits).
CURLcode transfer::set_request_shape(const request_shape& shape) {
  static char no_expect[] = "Expect:";
  CURL* easy = easy_.get();
  const std::size_t lines = shape.line_count();
  header_nodes_.assign(lines + (shape.has_body() ? 1 : 0), curl_slist{});
  item_lines_.resize(lines);
  for (std::size_t k = 0; k < lines; ++k) {
    // curl only reads the list; the lines outlive every transfer of the run.
    if (!shape.line_has_item(k)) header_nodes_[k].data = const_cast<char*>(shape.curl_line(k).c_str());
    header_nodes_[k].next = k + 1 < header_nodes_.size() ? &header_nodes_[k + 1] : nullptr;
  }
  if (shape.has_body()) header_nodes_.back().data = no_expect;
  if (const CURLcode code = set_pointer(easy, CURLOPT_HTTPHEADER, header_nodes_.data()); code != CURLE_OK) return code;
  if (shape.netrc()) {
    if (const CURLcode code = set_long(easy, CURLOPT_NETRC, static_cast<long>(CURL_NETRC_OPTIONAL)); code != CURLE_OK) {
      return code;
    }
  }
  const std::string& method = shape.method();
  if (method == "HEAD") return set_long(easy, CURLOPT_NOBODY, 1L);  // no body follows the answer's head
  // A body makes it a POST (CURLOPT_POSTFIELDS, set per request); any other method is named.
  const bool curls_own = method == (shape.has_body() ? "POST" : "GET");
  return curls_own ? CURLE_OK : set_text(easy, CURLOPT_CUSTOMREQUEST, method.c_str());
}

// TLS, proxy and HTTP version options: only the ones the user set, so curl's defaults (its CA
// bundle, the proxy environment variables) stay in force otherwise; with no proxy set anywhere,
// "none" is said once instead of looked up per transfer.
CURLcode transfer::configure_tls_and_proxy(CURL* easy, const fetch_policy& policy) {
  const auto text_if_set = [easy](CURLoption option, const std::string& value) {
    return value.empty() ? CURLE_OK : set_text(easy, option, value.c_str());
  };
  // Without --proxy, --noproxy or any proxy variable, libcurl 7.88 still looks the variables up
  // for every transfer (five getenv calls, each a walk of the environment). "No proxy, no
  // exceptions", set once per handle, is the decision it would reach each time.
  const bool no_proxy_anywhere =
      policy.connection.proxy.empty() && policy.connection.noproxy.empty() && proxy_environment_empty();
  long version = CURL_HTTP_VERSION_NONE;
  if (policy.connection.http == http_wish::http1_1) version = CURL_HTTP_VERSION_1_1;
  if (policy.connection.http == http_wish::http2) version = CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE;  // h2 by ALPN on https
  const auto options = {
      text_if_set(CURLOPT_CAINFO, policy.connection.ca_file),
      text_if_set(CURLOPT_CAPATH, policy.connection.ca_path),
      policy.connection.insecure ? set_long(easy, CURLOPT_SSL_VERIFYPEER, 0L) : CURLE_OK,
      policy.connection.insecure ? set_long(easy, CURLOPT_SSL_VERIFYHOST, 0L) : CURLE_OK,
      text_if_set(CURLOPT_SSLCERT, policy.connection.client_cert_file),
      text_if_set(CURLOPT_SSLKEY, policy.connection.client_key_file),
      text_if_set(CURLOPT_PROXY, policy.connection.proxy),
      text_if_set(CURLOPT_NOPROXY, policy.connection.noproxy),
      no_proxy_anywhere ? set_text(easy, CURLOPT_PROXY, "") : CURLE_OK,
      no_proxy_anywhere ? set_text(easy, CURLOPT_NOPROXY, "") : CURLE_OK,
      version != CURL_HTTP_VERSION_NONE ? set_long(easy, CURLOPT_HTTP_VERSION, version) : CURLE_OK,
      // Wait for a connection that may multiplex rather than open one per stream at the start.
      policy.connection.http == http_wish::http2 ? set_long(easy, CURLOPT_PIPEWAIT, 1L) : CURLE_OK,
  };
  for (CURLcode code : options) {
    if (code != CURLE_OK) return code;
  }
  return CURLE_OK;
}

void transfer::prepare(fetch_request request, const fetch_policy& policy, int attempt,
                       clock::time_point first_sent) {
  request_ = std::move(request);
  request_body_ = policy.request.has_body() ? policy.request.body_for(request_.item, body_scratch_) : std::string_view();
  attempt_ = attempt;
  first_sent_ = attempt == 1 ? clock::time_point{} : first_sent;
  body_ = std::string{};
  max_body_bytes_ = policy.max_body_bytes;
  started_ = {};
  body_over_limit_ = false;
  head_bytes_ = 0;
  head_done_ = false;
  head_over_limit_ = false;
  retry_after_.reset();
  kept_headers_ = policy.kept_headers.empty() ? nullptr : &policy.kept_headers;
  proxy_ = &policy.connection.proxy;
  headers_.clear();
  want_certificate_ = policy.want_certificate;
  error_buffer_[0] = '\0';
}

native_exchange& transfer::use_native() {
  if (!native_) {
    native_ = std::make_unique<native_exchange>();
    native_->owner = this;
  }
  return *native_;
}

CURLcode transfer::use_curl(const fetch_policy& policy) {
  if (!easy_) {
    easy_.reset(curl_easy_init());
    if (!easy_) return CURLE_OUT_OF_MEMORY;
  }
  // No curl_easy_reset: the options are the same for every request of a worker, so only the URL
  // changes. (A reset and fifteen setopts per request cost more than the rest of our per-request
  // work; curl clears its per-transfer state itself when a transfer starts.)
  const bool first_use = !configured_;
  if (first_use) {
    const CURLcode configured = configure(policy);
    if (configured != CURLE_OK) return configured;
  }
  // A transfer is made only when every other one of its worker is busy, so on its first use no
  // idle connection exists to reuse: skip curl's search for one, which in libcurl 7.88 walks
  // every connection to the host (O(n) per request, O(n^2) for 10,000 new transfers).
  // (Not with --http2: a busy connection takes more streams, and a fresh one per transfer would
  // defeat multiplexing.)
  // With want_certificate, every request handshakes anew: a certificate replaced on the server is
  // seen at once, not when a kept connection happens to close.
  const bool fresh = policy.want_certificate || (first_use && policy.connection.http != http_wish::http2);
  if (fresh != fresh_connect_) {
    const CURLcode set = set_long(easy_.get(), CURLOPT_FRESH_CONNECT, fresh ? 1L : 0L);
    if (set != CURLE_OK) return set;
    fresh_connect_ = fresh;
  }
  const request_shape& shape = policy.request;
  if (shape.item_in_headers()) {
    for (std::size_t k = 0; k < shape.line_count(); ++k) {
      if (!shape.line_has_item(k)) continue;
      shape.expand_curl_line(k, request_.item, item_lines_[k]);
      header_nodes_[k].data = item_lines_[k].data();
    }
  }
  if (shape.has_body()) {
    // The size first: the body may hold NUL bytes. Never a null pointer (curl would then read
    // the body from a callback).
    const CURLcode sized =
        curl_easy_setopt(easy_.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request_body_.size()));
    if (sized != CURLE_OK) return sized;
    const char* body = request_body_.empty() ? "" : request_body_.data();
    if (const CURLcode code = set_text(easy_.get(), CURLOPT_POSTFIELDS, body); code != CURLE_OK) return code;
  }
  return set_text(easy_.get(), CURLOPT_URL, request_.url.c_str());
}

void transfer::mark_started(carrier by) noexcept {
  started_ = clock::now();
  if (attempt_ == 1) first_sent_ = started_;
  running_ = by;
}

fetch_result transfer::finish_native() {
  running_ = carrier::none;
  native_exchange& exchange = *native_;
  const attempt_facts facts{exchange.failure, exchange.http_status, exchange.body_over_limit, exchange.head_over_limit};
  retry_after_ = exchange.retry_after;

  fetch_result result;
  result.kind = classify_attempt(facts.failure, facts.http_status);
  result.http_status = facts.http_status;
  result.error = describe_attempt(facts, max_body_bytes_, max_response_head_bytes, exchange.error);
  if (facts.http_status > 0) result.http_version = "1.1";  // the native transport speaks HTTP/1.1 only
  if (exchange.failure == transport_failure::none) result.body = std::move(exchange.body);
  exchange.body = std::string{};
  if (facts.http_status > 0) result.headers = std::move(exchange.headers);
  exchange.headers.clear();
  return result_now(std::move(result));
}

fetch_result transfer::finish(CURLcode code) {
  running_ = carrier::none;
  transfer_facts facts;
  facts.code = code;
  facts.body_over_limit = body_over_limit_;
  curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &facts.http_status);
  long request_bytes = 0;  // summed over redirects
  curl_easy_getinfo(easy_.get(), CURLINFO_REQUEST_SIZE, &request_bytes);
  facts.request_sent = request_bytes > 0;
  facts.head_over_limit = head_over_limit_ || (facts.request_sent && !head_done_ && is_curls_header_line_cap(code));

  fetch_result result;
  result.kind = classify_transfer(facts);
  result.http_status = facts.http_status;
  result.error = describe_transfer(facts, error_buffer_.data(), max_body_bytes_,
                                   proxy_ != nullptr ? std::string_view(*proxy_) : std::string_view());
  if (facts.http_status > 0) result.http_version = http_version_of(easy_.get());
  // A partial body is kept only for responses that completed; a cut-off one would mislead.
  if (code == CURLE_OK && !body_over_limit_) result.body = std::move(body_);
  body_ = std::string{};  // release the capacity: an idle slot must not hold up to max_body_bytes
  if (facts.http_status > 0) result.headers = std::move(headers_);
  headers_.clear();
  if (want_certificate_) result.certificate_expires = leaf_certificate_expiry(easy_.get());
  return result_now(std::move(result));
}

fetch_result transfer::abandon(outcome kind, std::string error) {
  running_ = carrier::none;
  body_ = std::string{};
  fetch_result result;
  result.kind = kind;
  result.error = std::move(error);
  return result_now(std::move(result));
}

fetch_result transfer::result_now(fetch_result result) const noexcept {
  const auto now = clock::now();
  const auto since = [&](clock::time_point from) {
    if (from == clock::time_point{}) return std::chrono::microseconds{0};
    return std::chrono::duration_cast<std::chrono::microseconds>(now - from);
  };
  result.attempts = attempt_;
  result.latency = since(started_);
  result.total = since(first_sent_);
  return result;
}

transfer* transfer::owner_of(CURL* easy) noexcept {
  void* owner = nullptr;
  curl_easy_getinfo(easy, CURLINFO_PRIVATE, &owner);
  return static_cast<transfer*>(owner);
}

std::size_t transfer::on_body(char* data, std::size_t size, std::size_t count, void* self) noexcept {
  auto* t = static_cast<transfer*>(self);
  const std::size_t bytes = size * count;  // size is always 1 for write callbacks
  if (bytes > t->max_body_bytes_ - t->body_.size()) {
    t->body_over_limit_ = true;
    return 0;  // anything but `bytes` aborts the transfer with CURLE_WRITE_ERROR
  }
  try {
    t->body_.append(data, bytes);
  } catch (const std::bad_alloc&) {
    return 0;  // reported as CURLE_WRITE_ERROR -> unexpected; exceptions must not cross C code
  }
  return bytes;
}

// Called once per header line, "Name: value\r\n", status lines included. Retry-After is kept,
// and the policy's kept_headers; a new status line (a redirect followed, a 100 Continue) forgets the previous response's.
// A head over max_response_head_bytes is refused (returning 0 aborts with CURLE_WRITE_ERROR): the
// same limit as the native transport's, and invalid_response (libcurl's own cap, 300 KB a head,
// would end it as a connection_error).
std::size_t transfer::on_header(char* data, std::size_t size, std::size_t count, void* self) noexcept {
  auto* t = static_cast<transfer*>(self);
  const std::size_t bytes = size * count;
  std::string_view line(data, bytes);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  constexpr std::string_view name = "retry-after:";
  const bool status_line = starts_with_nocase(line, "http/");
  if (status_line) {
    t->head_bytes_ = 0;
    t->head_done_ = false;
  }
  t->head_bytes_ += bytes;
  if (t->head_bytes_ > max_response_head_bytes) {
    t->head_over_limit_ = true;
    return 0;
  }
  if (line.empty()) t->head_done_ = true;
  if (status_line) {
    t->retry_after_.reset();
    t->headers_.clear();
  } else if (t->kept_headers_ != nullptr) {
    try {
      keep_header_line(line, *t->kept_headers_, t->headers_);
    } catch (const std::bad_alloc&) {
      return 0;  // CURLE_WRITE_ERROR -> unexpected; exceptions must not cross C code
    }
  }
  if (!status_line && starts_with_nocase(line, name)) {
    // Both forms: delta-seconds and an HTTP-date, the latter against the wall clock now.
    // (CURLINFO_RETRY_AFTER cannot tell "absent" from "0" and is not used.)
    t->retry_after_ = parse_retry_after(line.substr(name.size()), std::chrono::system_clock::now());
  }
  return bytes;
}

}  // namespace serentak::client
