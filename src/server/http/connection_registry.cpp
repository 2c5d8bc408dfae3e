#include "server/http/connection_registry.hpp"

#include <vector>

namespace serentak::server {

bool connection_registry::add(const std::shared_ptr<connection>& c) {
  std::lock_guard lock(mutex_);
  if (closing_) return false;
  live_.emplace(c.get(), c);
  return true;
}

void connection_registry::remove(const connection* c) noexcept {
  std::lock_guard lock(mutex_);
  live_.erase(c);
}

void connection_registry::close_all() {
  std::vector<std::shared_ptr<connection>> open;
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
    open.reserve(live_.size());
    for (const auto& [key, weak] : live_) {
      if (auto c = weak.lock()) open.push_back(std::move(c));
    }
  }
  for (const auto& c : open) c->close();
  // `open` is released here, outside the lock: a session whose last owner it was removes itself.
}

std::size_t connection_registry::size() const {
  std::lock_guard lock(mutex_);
  return live_.size();
}

}  // namespace serentak::server
