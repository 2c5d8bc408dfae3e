#pragma once
// The engine's global request rate (engine_config::rate_per_second): one token bucket shared by
// every worker, taken before every attempt, retries included. Thread-safe: the bucket lives
// behind mutex_, which is held only for the bucket's arithmetic (no I/O, no waiting), so
// workers contend for nanoseconds per attempt. A worker without a token does not wait here; it
// learns when the next token is due and sleeps in its own event loop until then.

#include <chrono>
#include <mutex>

#include "core/token_bucket.hpp"

namespace serentak::client {

class rate_gate {
 public:
  using clock = std::chrono::steady_clock;

  // rate_per_second > 0; burst >= 1 (tokens that may be spent at once after an idle spell).
  // The bucket starts full.
  rate_gate(double rate_per_second, double burst);

  // Takes one token and returns true, or returns false and sets wait to how long until one is due.
  bool try_take(clock::time_point now, clock::duration& wait);
  // Returns a token taken and not used (the source had nothing more): another worker may hold a
  // request waiting for one.
  void give_back();

 private:
  std::mutex mutex_;  // guards bucket_
  token_bucket bucket_;
};

}  // namespace serentak::client
