#include "monitor/check_window.hpp"

#include <algorithm>

namespace serentak::monitor {

void check_window::add(const check_sample& sample) {
  samples_.push_back(sample);
  const auto oldest_kept = sample.at - keep_;
  while (!samples_.empty() && samples_.front().at < oldest_kept) samples_.pop_front();
}

std::size_t check_window::first_within(std::chrono::steady_clock::time_point now,
                                       std::chrono::milliseconds span) const {
  const auto from = now - span;
  auto it = std::lower_bound(samples_.begin(), samples_.end(), from,
                             [](const check_sample& s, std::chrono::steady_clock::time_point t) { return s.at < t; });
  return static_cast<std::size_t>(it - samples_.begin());
}

}  // namespace serentak::monitor
