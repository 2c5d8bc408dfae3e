#include "client/inputs/vector_source.hpp"

#include <algorithm>

namespace serentak::client {

std::optional<fetch_request> vector_source::next() {
  // Checked first so that polling an exhausted source does not grow the cursor forever.
  if (cursor_.load(std::memory_order_relaxed) >= requests_.size()) return std::nullopt;
  const std::size_t index = cursor_.fetch_add(1, std::memory_order_relaxed);
  if (index >= requests_.size()) return std::nullopt;
  // Each index is handed to exactly one caller, so moving out of it races with nobody.
  return std::move(requests_[index]);
}

std::size_t vector_source::taken() const noexcept {
  return std::min(cursor_.load(std::memory_order_relaxed), requests_.size());
}

}  // namespace serentak::client
