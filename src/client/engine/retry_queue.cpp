#include "client/engine/retry_queue.hpp"

#include <algorithm>
#include <utility>

namespace serentak::client {
namespace {

bool later_due(const parked_request& a, const parked_request& b) noexcept { return a.due > b.due; }

}  // namespace

void retry_queue::push(parked_request&& waiting) {
  // push_back allocates before it moves from its argument, so a bad_alloc leaves `waiting` whole.
  heap_.push_back(std::move(waiting));
  std::push_heap(heap_.begin(), heap_.end(), later_due);
}

parked_request retry_queue::pop() noexcept {
  std::pop_heap(heap_.begin(), heap_.end(), later_due);
  parked_request earliest = std::move(heap_.back());
  heap_.pop_back();
  return earliest;
}

}  // namespace serentak::client
