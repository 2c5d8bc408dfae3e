#include "client/transfer.hpp"

#include <new>
#include <stdexcept>

#include "client/curl_outcome.hpp"

namespace serentak::client {

transfer::transfer() : easy_(curl_easy_init()) {
  if (!easy_) throw std::runtime_error("curl_easy_init failed");
}

CURLcode transfer::prepare(fetch_request request, const fetch_policy& policy) {
  request_ = std::move(request);
  body_ = std::string{};
  max_body_bytes_ = policy.max_body_bytes;
  started_ = {};
  body_over_limit_ = false;
  error_buffer_[0] = '\0';

  // curl_easy_reset forgets the previous request's options but keeps the handle's caches; live
  // connections and DNS entries belong to the multi handle and survive anyway (keep-alive).
  CURL* easy = easy_.get();
  curl_easy_reset(easy);

  // Each setopt is checked: a failure (e.g. a URL over curl's 8 MB limit) must become this
  // item's outcome, not a transfer that runs with half its options.
  const auto options = {
      set_text(easy, CURLOPT_URL, request_.url.c_str()),
      set_pointer(easy, CURLOPT_PRIVATE, this),
      curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &transfer::on_body),
      set_pointer(easy, CURLOPT_WRITEDATA, this),
      set_pointer(easy, CURLOPT_ERRORBUFFER, error_buffer_.data()),
      set_long(easy, CURLOPT_NOSIGNAL, 1L),  // threads: never use SIGALRM for DNS timeouts
      // http and https only, for the first URL and every redirect: no file://, ftp://, ...
      set_text(easy, CURLOPT_PROTOCOLS_STR, "http,https"),
      set_text(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"),
      set_long(easy, CURLOPT_FOLLOWLOCATION, policy.follow_redirects ? 1L : 0L),
      set_long(easy, CURLOPT_MAXREDIRS, policy.max_redirects),
      // The deadline runs from curl_multi_add_handle: time spent waiting for a slot is not in it.
      set_long(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(policy.timeout.count())),
      policy.connect_timeout.count() > 0
          ? set_long(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(policy.connect_timeout.count()))
          : CURLE_OK,
      set_text(easy, CURLOPT_USERAGENT, policy.user_agent.c_str()),
      // "": every encoding curl can decode; the write callback then sees decoded bytes, so
      // max_body_bytes bounds what we keep, and a compression bomb is cut off like any big body.
      set_text(easy, CURLOPT_ACCEPT_ENCODING, ""),
  };
  for (CURLcode code : options) {
    if (code != CURLE_OK) return code;
  }
  return CURLE_OK;
}

void transfer::mark_started() noexcept {
  started_ = std::chrono::steady_clock::now();
  in_multi_ = true;
}

fetch_result transfer::finish(CURLcode code) {
  in_multi_ = false;
  transfer_facts facts;
  facts.code = code;
  facts.body_over_limit = body_over_limit_;
  curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &facts.http_status);
  long request_bytes = 0;  // summed over redirects
  curl_easy_getinfo(easy_.get(), CURLINFO_REQUEST_SIZE, &request_bytes);
  facts.request_sent = request_bytes > 0;

  fetch_result result;
  result.kind = classify_transfer(facts);
  result.http_status = facts.http_status;
  result.error = describe_transfer(facts, error_buffer_.data(), max_body_bytes_);
  result.latency = elapsed();
  // A partial body is kept only for responses that completed; a cut-off one would mislead.
  if (code == CURLE_OK && !body_over_limit_) result.body = std::move(body_);
  body_ = std::string{};  // release the capacity: an idle slot must not hold up to max_body_bytes
  return result;
}

fetch_result transfer::abandon(outcome kind, std::string error) {
  in_multi_ = false;
  body_ = std::string{};
  fetch_result result;
  result.kind = kind;
  result.error = std::move(error);
  result.latency = elapsed();
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

std::chrono::microseconds transfer::elapsed() const noexcept {
  if (started_ == std::chrono::steady_clock::time_point{}) return std::chrono::microseconds{0};
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started_);
}

}  // namespace serentak::client
