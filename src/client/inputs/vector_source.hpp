#pragma once
// A work_source over requests already in memory (arguments, the seed's default items, tests).
// Thread-safe without a lock: one atomic cursor (cursor_) hands each index out exactly once;
// the vector itself is never resized after construction.

#include <atomic>
#include <cstddef>
#include <optional>
#include <vector>

#include "client/engine/engine.hpp"

namespace serentak::client {

class vector_source final : public work_source {
 public:
  explicit vector_source(std::vector<fetch_request> requests) : requests_(std::move(requests)) {}

  // Moves the next request out; nullopt once all were handed out.
  std::optional<fetch_request> next() override;

  std::size_t size() const noexcept { return requests_.size(); }
  std::size_t taken() const noexcept;  // how many next() handed out so far

 private:
  std::vector<fetch_request> requests_;
  std::atomic<std::size_t> cursor_{0};  // next index to hand out; may pass size() (exhausted)
};

}  // namespace serentak::client
