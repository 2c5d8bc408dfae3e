#pragma once
// The recent history of one endpoint that window conditions read (p95([RESPONSE_TIME], 5m),
// ratio([STATUS] >= 500, 10m)): a time-ordered run of small samples, trimmed to the longest window
// the endpoint's conditions use. Owned by whoever runs that endpoint's checks; not thread-safe.

#include <chrono>
#include <cstddef>
#include <deque>

namespace serentak::monitor {

struct check_sample {
  std::chrono::steady_clock::time_point at;  // when the check started
  long status = 0;                           // HTTP status, 0 without a response
  std::chrono::microseconds response_time{0};
  bool connected = false;
};

class check_window {
 public:
  // keep: samples older than the newest minus keep are dropped on add(); 0 keeps only the newest.
  explicit check_window(std::chrono::milliseconds keep = std::chrono::milliseconds{0}) : keep_(keep) {}

  // Samples must arrive in time order (a check's start never precedes an earlier check's start).
  void add(const check_sample& sample);

  // The samples taken at or after now - span, oldest first, as an index range into samples().
  std::size_t first_within(std::chrono::steady_clock::time_point now, std::chrono::milliseconds span) const;
  const std::deque<check_sample>& samples() const noexcept { return samples_; }
  std::chrono::milliseconds keep() const noexcept { return keep_; }

 private:
  std::chrono::milliseconds keep_;
  std::deque<check_sample> samples_;
};

}  // namespace serentak::monitor
