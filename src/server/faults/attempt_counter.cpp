#include "server/faults/attempt_counter.hpp"

#include <string>

#include "scenario/delay_model.hpp"

namespace serentak::server {

std::uint64_t attempt_counter::next(std::string_view route, std::string_view item) {
  // A 64-bit hash stands for the pair: a collision among even a million pairs has a chance of
  // about 1 in 30 million, and would only merge two items' attempt counts.
  std::uint64_t key = delay_model::fnv1a64(std::to_string(route.size()) + ':');
  key = delay_model::splitmix64(delay_model::fnv1a64(item, delay_model::fnv1a64(route, key)));
  std::lock_guard lock(mutex_);
  auto found = counts_.find(key);
  if (found != counts_.end()) return ++found->second;
  if (counts_.size() >= capacity_) {
    ++untracked_;
    return 0;
  }
  counts_.emplace(key, 1);
  return 1;
}

std::uint64_t attempt_counter::untracked() const {
  std::lock_guard lock(mutex_);
  return untracked_;
}

std::size_t attempt_counter::size() const {
  std::lock_guard lock(mutex_);
  return counts_.size();
}

}  // namespace serentak::server
