#pragma once
// The one outcome taxonomy of serentak: every item ends with exactly one of these.
// Success: only `ok`. Retryable (transient): timeout, connection_error, and server_error /
// client_error when the HTTP status is 408, 429, 500, 502, 503 or 504 (see is_retryable).
// Pure values, no I/O; safe to use from any thread.

#include <array>
#include <optional>
#include <string_view>

namespace serentak {

enum class outcome {
  ok,                // 2xx with a usable body
  not_found,         // HTTP 404
  client_error,      // other 4xx
  server_error,      // 5xx
  timeout,           // the attempt's deadline passed (connect or total)
  connection_error,  // DNS, refused, reset, TLS: no HTTP response was received
  invalid_response,  // a response arrived but cannot be used: bad JSON, too large, bad status line
  unexpected,        // anything else: a bug or an environment failure; never retried
};

inline constexpr std::array all_outcomes{
    outcome::ok,      outcome::not_found,        outcome::client_error,     outcome::server_error,
    outcome::timeout, outcome::connection_error, outcome::invalid_response, outcome::unexpected};

std::string_view to_string(outcome o) noexcept;
std::optional<outcome> outcome_from_string(std::string_view name) noexcept;

// Maps a received HTTP status to an outcome: 2xx ok, 404 not_found, other 4xx client_error,
// 5xx server_error, anything else (1xx, 3xx without following, >599) invalid_response.
outcome classify_status(long http_status) noexcept;

bool is_success(outcome o) noexcept;

// Transient failures worth another attempt: timeouts, connection errors and
// HTTP 408, 429, 500, 502, 503, 504. Nothing else, so a 404 or a 400 is never retried.
bool is_retryable(outcome o, long http_status) noexcept;

}  // namespace serentak
