#include "queue/stop_deadline.hpp"

namespace serentak::queue {

stop_deadline::stop_deadline(const std::atomic<bool>* stop, std::chrono::milliseconds grace) noexcept
    : stop_(stop), grace_(grace) {}

bool stop_deadline::passed() noexcept {
  if (stop_ == nullptr || !stop_->load()) return false;
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count();
  std::int64_t seen = -1;
  if (seen_at_.compare_exchange_strong(seen, now)) seen = now;  // this call saw it first
  return now - seen >= grace_.count();
}

}  // namespace serentak::queue
