#include "core/transport_failure.hpp"

#include <fmt/format.h>

namespace serentak {

std::string_view to_string(transport_failure f) noexcept {
  switch (f) {
    case transport_failure::none: return "none";
    case transport_failure::timed_out: return "timed_out";
    case transport_failure::connect_failed: return "connect_failed";
    case transport_failure::send_failed: return "send_failed";
    case transport_failure::recv_failed: return "recv_failed";
    case transport_failure::got_nothing: return "got_nothing";
    case transport_failure::protocol_failed: return "protocol_failed";
    case transport_failure::bad_reply: return "bad_reply";
    case transport_failure::reply_too_large: return "reply_too_large";
    case transport_failure::refused_request: return "refused_request";
    case transport_failure::local_failure: return "local_failure";
  }
  return "local_failure";
}

outcome classify_attempt(transport_failure failure, long http_status) noexcept {
  switch (failure) {
    case transport_failure::none: return classify_status(http_status);
    case transport_failure::timed_out: return outcome::timeout;
    case transport_failure::connect_failed:
    case transport_failure::send_failed:
    case transport_failure::recv_failed:
    case transport_failure::got_nothing:
    case transport_failure::protocol_failed: return outcome::connection_error;
    case transport_failure::bad_reply:
    case transport_failure::reply_too_large: return outcome::invalid_response;
    case transport_failure::refused_request:
    case transport_failure::local_failure: return outcome::unexpected;
  }
  return outcome::unexpected;
}

std::string describe_attempt(const attempt_facts& facts, std::size_t max_body_bytes, std::size_t max_head_bytes,
                             std::string_view transport_text) {
  if (facts.body_over_limit) return fmt::format("response body exceeds {} bytes", max_body_bytes);
  if (facts.head_over_limit) return fmt::format("response headers exceed {} bytes", max_head_bytes);
  if (facts.failure == transport_failure::none) {
    if (classify_status(facts.http_status) == outcome::invalid_response) {
      return fmt::format("unexpected HTTP status {}", facts.http_status);
    }
    return {};
  }
  return std::string(transport_text);
}

}  // namespace serentak
