#pragma once
// One host's politeness budget (--per-host, --host-rate, --adaptive): transfers in flight, a token
// bucket for its rate, a pause after Retry-After, and under --adaptive an AIMD rate: lowered
// multiplicatively on 429 or 503, raised additively on every other answer, the way TCP finds a
// path's capacity. Pure arithmetic on a caller-supplied clock; not thread-safe: the engine keeps
// one per host behind host_gate's mutex.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "core/token_bucket.hpp"

namespace serentak {

struct host_limits {
  std::size_t max_in_flight = 0;          // --per-host: attempts in flight per host; 0: no cap
  std::optional<double> rate_per_second;  // --host-rate; under --adaptive the starting and highest rate
  bool adaptive = false;                  // --adaptive: AIMD on 429/503, and Retry-After pauses the host
  double decrease = 0.9;                  // adaptive: rate multiplied by this on a push-back, in (0, 1)
  double increase_per_s = 1.0;            // adaptive: requests/s added per second of answers at the rate
  double floor_per_second = 0.1;          // adaptive: never below this
  std::chrono::milliseconds max_pause{std::chrono::seconds(120)};  // longest Retry-After honoured

  bool any() const noexcept { return max_in_flight > 0 || rate_per_second.has_value() || adaptive; }
};

struct host_counts {
  std::uint64_t attempts = 0;  // attempts started
  std::uint64_t seen_429 = 0;
  std::uint64_t seen_503 = 0;
  std::uint64_t pauses = 0;  // Retry-After pauses begun
};

class host_budget {
 public:
  using clock = std::chrono::steady_clock;

  host_budget(const host_limits& limits, clock::time_point now);

  // May an attempt start now? true: it is counted in flight (finish() must follow). false: wait
  // says when to ask again; zero means "when one of this host's attempts ends".
  bool try_start(clock::time_point now, clock::duration& wait) noexcept;
  // An attempt started by try_start ended. http_status 0: no answer. retry_after: the answer's.
  void finish(clock::time_point now, long http_status, std::optional<std::chrono::milliseconds> retry_after) noexcept;
  // Undoes the last successful try_start whose attempt was then refused elsewhere (a shared
  // rate said "not yet"): nothing was sent, so nothing is counted.
  void cancel_start() noexcept;

  // The rate in force (requests/s); nullopt while unlimited.
  std::optional<double> rate() const noexcept;
  std::size_t in_flight() const noexcept { return in_flight_; }
  const host_counts& counts() const noexcept { return counts_; }

 private:
  void push_back(clock::time_point now) noexcept;
  void count_window(clock::time_point now) noexcept;

  const host_limits& limits_;
  std::optional<token_bucket> bucket_;  // absent while the rate is unlimited
  std::size_t in_flight_ = 0;
  clock::time_point paused_until_{};
  clock::time_point last_decrease_{};
  bool decreased_once_ = false;
  // Answers other than 429/503 in the current and the last whole second: what the host accepted,
  // from which an adaptive host without a starting rate takes its first one on its first push-back.
  clock::time_point window_start_;
  std::uint64_t window_accepted_ = 0;
  std::uint64_t last_window_accepted_ = 0;
  host_counts counts_;
};

}  // namespace serentak
