#include "core/host_budget.hpp"

#include <algorithm>

namespace serentak {
namespace {

constexpr auto window = std::chrono::seconds(1);
// A poll interval for a host at its in-flight cap whose attempts belong to another worker: that
// worker's finish() cannot wake this one's event loop.
constexpr auto cap_poll = std::chrono::milliseconds(5);

}  // namespace

host_budget::host_budget(const host_limits& limits, clock::time_point now) : limits_(limits), window_start_(now) {
  if (limits_.rate_per_second) bucket_.emplace(*limits_.rate_per_second, 1.0, now);
}

std::optional<double> host_budget::rate() const noexcept {
  if (!bucket_) return std::nullopt;
  return bucket_->rate();
}

void host_budget::count_window(clock::time_point now) noexcept {
  if (now - window_start_ < window) return;
  // A gap longer than a window leaves an idle second behind: the last whole window saw nothing.
  last_window_accepted_ = (now - window_start_ < 2 * window) ? window_accepted_ : 0;
  window_accepted_ = 0;
  window_start_ = now;
}

bool host_budget::try_start(clock::time_point now, clock::duration& wait) noexcept {
  if (now < paused_until_) {
    wait = paused_until_ - now;
    return false;
  }
  if (limits_.max_in_flight > 0 && in_flight_ >= limits_.max_in_flight) {
    wait = cap_poll;
    return false;
  }
  if (bucket_ && !bucket_->try_take(now, wait)) return false;
  ++in_flight_;
  ++counts_.attempts;
  return true;
}

void host_budget::cancel_start() noexcept {
  if (in_flight_ > 0) --in_flight_;
  if (counts_.attempts > 0) --counts_.attempts;
}

void host_budget::finish(clock::time_point now, long http_status,
                         std::optional<std::chrono::milliseconds> retry_after) noexcept {
  if (in_flight_ > 0) --in_flight_;
  const bool pushed_back = http_status == 429 || http_status == 503;
  if (http_status == 429) ++counts_.seen_429;
  if (http_status == 503) ++counts_.seen_503;
  count_window(now);
  if (http_status > 0 && !pushed_back) ++window_accepted_;
  if (pushed_back && retry_after && limits_.any()) {
    const auto until = now + std::min(*retry_after, limits_.max_pause);
    if (until > paused_until_) {
      paused_until_ = until;
      ++counts_.pauses;
    }
  }
  if (!limits_.adaptive) return;
  if (pushed_back) {
    push_back(now);
  } else if (http_status > 0 && bucket_) {
    // +increase_per_s each second spent at the rate: rate answers a second, each adds 1/rate of it.
    double raised = bucket_->rate() + limits_.increase_per_s / bucket_->rate();
    if (limits_.rate_per_second) raised = std::min(raised, *limits_.rate_per_second);
    bucket_->set_rate(raised, now);
  }
}

// One decrease per congestion event: the answers to attempts already in flight when the first
// push-back arrived say the same thing again, so further ones within a second (or the pause they
// asked for) leave the rate alone.
void host_budget::push_back(clock::time_point now) noexcept {
  if (decreased_once_ && now - last_decrease_ < std::max<clock::duration>(window, paused_until_ - last_decrease_)) {
    return;
  }
  decreased_once_ = true;
  last_decrease_ = now;
  if (!bucket_) {
    // Unlimited until now: start from what the host accepted within a second, the busier of the
    // last whole second and the current part of one. A limit of R per second lets R through in
    // a second (a window or a bucket of R), so this lands near R from below.
    const double observed = static_cast<double>(std::max(last_window_accepted_, window_accepted_));
    bucket_.emplace(std::max(limits_.floor_per_second, observed * limits_.decrease), 1.0, now);
    return;
  }
  bucket_->set_rate(std::max(limits_.floor_per_second, bucket_->rate() * limits_.decrease), now);
}

}  // namespace serentak
