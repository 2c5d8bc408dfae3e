#pragma once
// One HTTP GET in flight: the easy handle (kept by its worker and reused for the next request,
// so its allocations are reused too), the request it carries, the body collected so far and
// curl's error text. Owned by one worker thread, never shared. Its address is the handle's
// CURLOPT_PRIVATE and the write callback's user data, so it must not move: hold it by unique_ptr.

#include <curl/curl.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <string>

#include "client/curl_handles.hpp"
#include "client/fetch_types.hpp"

namespace serentak::client {

class transfer {
 public:
  transfer();  // throws std::runtime_error when curl_easy_init fails
  transfer(const transfer&) = delete;
  transfer& operator=(const transfer&) = delete;

  // Resets the handle and sets every option for request under policy. Returns the first
  // setopt failure (the transfer must then not be added), CURLE_OK otherwise.
  CURLcode prepare(fetch_request request, const fetch_policy& policy);

  // The attempt's clock starts here: call right after curl_multi_add_handle succeeded.
  void mark_started() noexcept;
  // True from mark_started() until finish() or abandon(): the handle is in the multi handle.
  bool in_multi() const noexcept { return in_multi_; }

  // The final result once curl reports the transfer done with code; moves the body out.
  fetch_result finish(CURLcode code);
  // A result for a transfer that never ran to completion (cancelled, or failed to start).
  fetch_result abandon(outcome kind, std::string error);

  CURL* easy() const noexcept { return easy_.get(); }
  const fetch_request& request() const noexcept { return request_; }

  // The transfer that owns easy, found through CURLOPT_PRIVATE in O(1).
  static transfer* owner_of(CURL* easy) noexcept;

 private:
  static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* self) noexcept;
  std::chrono::microseconds elapsed() const noexcept;

  easy_handle easy_;
  fetch_request request_;
  std::string body_;
  std::size_t max_body_bytes_ = 0;
  bool body_over_limit_ = false;
  std::array<char, CURL_ERROR_SIZE> error_buffer_{};  // written by curl while in flight
  std::chrono::steady_clock::time_point started_{};
  bool in_multi_ = false;
};

}  // namespace serentak::client
