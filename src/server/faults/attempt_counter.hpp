#pragma once
// Counts the requests the server has seen for each (route, item) since it started, so a fault can
// be scripted for "the 1st attempt at user 1121" and a share of requests can differ between a
// client's attempts. Only routes with faults count (a fault-free route never takes the lock).
//
// Bounded: at most `capacity` pairs are remembered (a pair costs about 40 bytes: its 64-bit hash
// and its count). Once full, a pair not yet seen is not remembered and its requests report
// attempt 0 ("untracked"): scripted faults naming an attempt no longer match them, and share
// faults still apply (their draw then ignores the attempt). untracked() counts those requests.
// Thread-safe: one mutex (mutex_) guards counts_ and untracked_.

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string_view>
#include <unordered_map>

namespace serentak::server {

class attempt_counter {
 public:
  static constexpr std::size_t default_capacity = 250'000;  // about 10 MB when full

  explicit attempt_counter(std::size_t capacity = default_capacity) : capacity_(capacity) {}

  // This request's number for (route, item): 1 for the first, 2 for the second, ...; 0 when the
  // pair is untracked (the table is full).
  std::uint64_t next(std::string_view route, std::string_view item);

  std::uint64_t untracked() const;
  std::size_t size() const;

 private:
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_map<std::uint64_t, std::uint64_t> counts_;  // hash of (route, item) -> requests seen
  std::uint64_t untracked_ = 0;
};

}  // namespace serentak::server
