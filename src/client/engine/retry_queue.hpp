#pragma once
// A worker's requests waiting for their next attempt (backoff or Retry-After), without a
// transfer slot: a min-heap on the due time, so the next due one is found in O(1) and pushed or
// popped in O(log n). Owned by one worker thread; no locking.

#include <chrono>
#include <cstddef>
#include <vector>

#include "client/engine/fetch_types.hpp"

namespace serentak::client {

struct parked_request {
  std::chrono::steady_clock::time_point due;         // the next attempt may be sent from then on
  fetch_request request;
  int attempts = 0;                                  // attempts made so far
  std::chrono::steady_clock::time_point first_sent;  // attempt 1 was sent
};

class retry_queue {
 public:
  using clock = std::chrono::steady_clock;

  bool empty() const noexcept { return heap_.empty(); }
  std::size_t size() const noexcept { return heap_.size(); }
  // The earliest due time; only when !empty().
  clock::time_point next_due() const noexcept { return heap_.front().due; }
  bool due(clock::time_point now) const noexcept { return !heap_.empty() && heap_.front().due <= now; }

  // Strong guarantee: when it throws (std::bad_alloc), `waiting` is untouched.
  void push(parked_request&& waiting);
  // Removes and returns the earliest; only when !empty().
  parked_request pop() noexcept;

 private:
  std::vector<parked_request> heap_;  // std::push_heap order with later_due: front is earliest
};

}  // namespace serentak::client
