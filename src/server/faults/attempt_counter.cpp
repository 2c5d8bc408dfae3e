#include "server/faults/attempt_counter.hpp"

#include <string>

#include "core/fnv1a.hpp"
#include "core/splitmix64.hpp"

namespace serentak::server {

std::uint64_t attempt_counter::next(std::string_view route, std::string_view item) {
  // A 64-bit hash stands for the pair: a collision among even a million pairs has a chance of
  // about 1 in 30 million, and would only merge two items' attempt counts.
  const std::uint64_t key = splitmix64(fnv1a_64().add(std::to_string(route.size()) + ':').add(route).add(item).value());
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
