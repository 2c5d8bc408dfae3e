#pragma once
// The native transport's state for one slot's current attempt (plain data; native_client drives
// it): where it goes, the request bytes, the connection it borrowed, the response being read,
// and, once it ended, the facts curl_outcome judges. Kept by its transfer (one per slot, made on
// the slot's first native use, reused); touched only by the worker thread that owns the slot.


#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/transport_failure.hpp"
#include "client/engine/fetch_types.hpp"
#include "client/transport/native/native_response.hpp"
#include "client/transport/native/native_target.hpp"

namespace serentak::client {

struct native_connection;
class transfer;

struct native_exchange {
  enum class phase {
    idle,        // not running (never started, or ended: the facts below are final)
    connecting,  // a new connection: waiting until it can send
    sending,     // part of the request is written; waiting for room
    receiving,   // the request is sent; reading the response
  };

  transfer* owner = nullptr;            // the slot this belongs to, set once
  phase at = phase::idle;
  const fetch_policy* policy = nullptr;  // the run's; outlives every attempt
  native_target target;
  std::string url;                       // what is fetched now: the request's URL, or a redirect's
  std::string_view item;                 // fills "{}" in header lines (the slot's request, alive while running)
  std::string_view request_body;         // sent when policy->request has a body (likewise alive)
  std::string request_bytes;             // the whole request, written with one send when it fits
  std::size_t sent = 0;                  // bytes of request_bytes written on this connection
  native_connection* connection = nullptr;
  native_response response;
  std::chrono::steady_clock::time_point started{};  // this attempt began (for timeout messages)
  std::uint64_t attempt_id = 0;  // matches its deadline entry while this attempt runs
  std::uint64_t connect_id = 0;  // matches its connect-deadline entry while this connection is new
  bool retried_fresh = false;    // already sent again on a fresh connection (at most once per hop)
  long redirects = 0;            // redirects followed in this attempt

  // Once at == idle after a run: what the attempt came to (core/transport_failure.hpp).
  transport_failure failure = transport_failure::none;
  bool curl_may_read = false;  // native_response::curl_may_read() of the failed reply
  long http_status = 0;
  bool body_over_limit = false;
  bool head_over_limit = false;
  std::string error;
  std::string body;
  std::optional<std::chrono::milliseconds> retry_after;
  std::vector<std::pair<std::string, std::string>> headers;  // policy->kept_headers of the final response
};

}  // namespace serentak::client
