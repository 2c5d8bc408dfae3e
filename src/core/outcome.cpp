#include "core/outcome.hpp"

namespace serentak {

std::string_view to_string(outcome o) noexcept {
  switch (o) {
    case outcome::ok: return "ok";
    case outcome::not_found: return "not_found";
    case outcome::client_error: return "client_error";
    case outcome::server_error: return "server_error";
    case outcome::timeout: return "timeout";
    case outcome::connection_error: return "connection_error";
    case outcome::invalid_response: return "invalid_response";
    case outcome::unexpected: return "unexpected";
  }
  return "unexpected";
}

std::optional<outcome> outcome_from_string(std::string_view name) noexcept {
  for (outcome o : all_outcomes) {
    if (to_string(o) == name) return o;
  }
  return std::nullopt;
}

outcome classify_status(long http_status) noexcept {
  if (http_status >= 200 && http_status <= 299) return outcome::ok;
  if (http_status == 404) return outcome::not_found;
  if (http_status >= 400 && http_status <= 499) return outcome::client_error;
  if (http_status >= 500 && http_status <= 599) return outcome::server_error;
  return outcome::invalid_response;
}

bool is_success(outcome o) noexcept { return o == outcome::ok; }

bool is_retryable(outcome o, long http_status) noexcept {
  switch (o) {
    case outcome::timeout:
    case outcome::connection_error: return true;
    case outcome::client_error: return http_status == 408 || http_status == 429;
    case outcome::server_error:
      return http_status == 500 || http_status == 502 || http_status == 503 || http_status == 504;
    default: return false;
  }
}

}  // namespace serentak
