#pragma once
// One slot's HTTP GET: the request it carries, which attempt this is, and what carries the
// attempt: the easy handle (made on the slot's first curl use, then kept and reused with its
// options) or the native transport's exchange (likewise made on first use), the body collected
// so far, a Retry-After seen in the response and the error text.
// Owned by one worker thread, never shared. Its address is the handle's CURLOPT_PRIVATE and the
// callbacks' user data, so it must not move: hold it by unique_ptr.

#include <curl/curl.h>

#include <array>
#include <chrono>
#include <memory>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <utility>

#include "client/transport/curl/curl_handles.hpp"
#include "client/engine/fetch_types.hpp"
#include "client/transport/native/native_exchange.hpp"

namespace serentak::client {

class transfer {
 public:
  using clock = std::chrono::steady_clock;

  // Which transport runs the current attempt.
  enum class carrier { none, curl, native };

  // receive_buffer_bytes: CURLOPT_BUFFERSIZE, curl's receive buffer per handle; 0: curl's
  // default (16 KB). Makes no handle yet: a slot only ever used natively never has one.
  explicit transfer(long receive_buffer_bytes = 0);
  transfer(const transfer&) = delete;
  transfer& operator=(const transfer&) = delete;

  // Takes request for attempt number `attempt` (1-based) under policy, whichever transport will
  // carry it. first_sent: when attempt 1 was sent (ignored for attempt 1).
  void prepare(fetch_request request, const fetch_policy& policy, int attempt, clock::time_point first_sent);
  // Readies the easy handle for the prepared attempt (made on first use; the options that never
  // change, callbacks, protocols, timeouts, ..., are set then only; policy must be the same
  // object every time). Returns the first failure (the transfer must then not be added).
  CURLcode use_curl(const fetch_policy& policy);
  // The slot's native exchange, made on first use. Throws std::bad_alloc.
  native_exchange& use_native();

  // The attempt's clock starts here: call right before the native start, or right after
  // curl_multi_add_handle succeeded.
  void mark_started(carrier by) noexcept;
  // The running native attempt goes on through curl (already added to the multi handle), its
  // clocks unchanged: for a reply the native parser refused that curl may accept.
  void hand_over_to_curl() noexcept {
    running_ = carrier::curl;
    retry_after_.reset();  // the refused reply's, if any: curl's own answer decides
  }
  // From mark_started() until finish(), finish_native() or abandon(): what runs the attempt.
  carrier running() const noexcept { return running_; }
  // True while the handle is in the multi handle.
  bool in_multi() const noexcept { return running_ == carrier::curl; }

  // The attempt's result once curl reports it done with code; moves the body out.
  fetch_result finish(CURLcode code);
  // The attempt's result once the native exchange has ended (judged by the same table).
  fetch_result finish_native();
  // A result for an attempt that never ran to completion (cancelled, or failed to start).
  fetch_result abandon(outcome kind, std::string error);

  // The response's Retry-After, parsed (seconds or HTTP-date, relative to when it arrived);
  // nullopt when the last response had none or an unreadable one. Valid after finish().
  std::optional<std::chrono::milliseconds> retry_after() const noexcept { return retry_after_; }
  int attempt() const noexcept { return attempt_; }
  clock::time_point first_sent() const noexcept { return first_sent_; }

  CURL* easy() const noexcept { return easy_.get(); }  // null until the slot's first curl use
  native_exchange* native() const noexcept { return native_.get(); }  // null until its first native use
  const fetch_request& request() const noexcept { return request_; }
  // The prepared attempt's body (the run's static body, or this item's, built in prepare()).
  std::string_view request_body() const noexcept { return request_body_; }
  // Moves the request out, to wait for its next attempt without holding this slot.
  fetch_request take_request() noexcept { return std::move(request_); }

  // From now on, this transfer's connection is closed when the transfer ends instead of being
  // kept for reuse (CURLOPT_FORBID_REUSE, read by curl when the transfer is done, so it may be set
  // while in flight). For the end of a run.
  void forbid_reuse() noexcept {
    forbid_reuse_ = true;
    if (easy_) set_long(easy_.get(), CURLOPT_FORBID_REUSE, 1L);
  }

  // The per-host budget (host_gate) this slot's attempt counts against: set when the gate let it
  // start, taken back (empty afterwards) exactly once when the attempt ends.
  void hold_host(std::string key) noexcept { host_ = std::move(key); }
  std::string release_host() noexcept { return std::exchange(host_, std::string()); }
  bool holds_host() const noexcept { return !host_.empty(); }

  // The transfer that owns easy, found through CURLOPT_PRIVATE in O(1).
  static transfer* owner_of(CURL* easy) noexcept;

 private:
  CURLcode configure(const fetch_policy& policy);
  CURLcode set_request_shape(const request_shape& shape);
  CURLcode configure_tls_and_proxy(CURL* easy, const fetch_policy& policy);
  static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* self) noexcept;
  static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* self) noexcept;
  fetch_result result_now(fetch_result result) const noexcept;

  easy_handle easy_;                         // made on the first curl use
  std::unique_ptr<native_exchange> native_;  // made on the first native use
  long receive_buffer_bytes_;
  bool forbid_reuse_ = false;   // forbid_reuse() was called (applied to a handle made later too)
  bool configured_ = false;     // the constant options are set
  bool fresh_connect_ = false;  // CURLOPT_FRESH_CONNECT is on (first use only)
  fetch_request request_;
  std::string_view request_body_;  // into policy.request or body_scratch_; valid until the next prepare()
  std::string body_scratch_;       // an item's body, when the body names the item
  // libcurl's header list, one node per line of policy.request (+ "Expect:" with a body), made
  // with the handle: curl reads the list, never frees it. Lines without the item point into the
  // run's request_shape; lines with it into item_lines_, refilled per request.
  std::vector<curl_slist> header_nodes_;
  std::vector<std::string> item_lines_;
  int attempt_ = 1;
  std::string body_;
  std::size_t max_body_bytes_ = 0;
  bool body_over_limit_ = false;
  std::size_t head_bytes_ = 0;    // header bytes of the current response, status line included
  bool head_done_ = false;        // its blank line arrived
  bool head_over_limit_ = false;  // our header callback refused it (over max_response_head_bytes)
  std::optional<std::chrono::milliseconds> retry_after_;
  const std::vector<std::string>* kept_headers_ = nullptr;  // the policy's, when it keeps any
  const std::string* proxy_ = nullptr;                      // the policy's --proxy, masked in curl's errors
  std::vector<std::pair<std::string, std::string>> headers_;  // kept from the current response
  bool want_certificate_ = false;                           // the policy's want_certificate
  std::array<char, CURL_ERROR_SIZE> error_buffer_{};  // written by curl while in flight
  clock::time_point started_{};     // this attempt was sent; {} until mark_started()
  clock::time_point first_sent_{};  // attempt 1 was sent
  carrier running_ = carrier::none;
  std::string host_;                // host_gate key of the running attempt; empty: none held
};

}  // namespace serentak::client
