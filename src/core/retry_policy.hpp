#pragma once
// When to try an item again: exponential backoff with full jitter (AWS's "full jitter":
// a uniform wait in [0, min(cap, base * 2^attempt)]), honouring a server's Retry-After
// (seconds or an HTTP-date) up to a cap. Only transient outcomes are retried (outcome.hpp).
// Pure: the caller supplies the random number and the clock.

#include <chrono>
#include <optional>
#include <string_view>

#include "core/outcome.hpp"

namespace serentak {

struct retry_policy {
  int max_retries = 0;                                   // extra attempts after the first; 0: none
  std::chrono::milliseconds base_delay{200};             // backoff unit
  std::chrono::milliseconds max_delay{30'000};           // cap on one backoff wait
  std::chrono::milliseconds max_retry_after{120'000};    // cap on a server's Retry-After

  // Whether an item that just finished attempt number `attempts` (1-based) goes again.
  bool should_retry(outcome o, long http_status, int attempts) const noexcept;

  // How long to wait before the next attempt. unit_random is uniform in [0, 1).
  // A Retry-After, when present, wins over the backoff (capped at max_retry_after).
  std::chrono::milliseconds delay_before(int attempts, double unit_random,
                                         std::optional<std::chrono::milliseconds> retry_after) const noexcept;
};

// Parses a Retry-After header value: delta-seconds ("120") or an IMF-fixdate
// ("Wed, 21 Oct 2015 07:28:00 GMT"), relative to now. nullopt when it is neither.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now);

}  // namespace serentak
