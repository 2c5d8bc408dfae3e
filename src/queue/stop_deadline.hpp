#pragma once
// How long a stopping worker's Redis I/O may still wait. SIGINT/SIGTERM must end a worker within
// about a second, but each of its connections (the reader's, the flusher's, the main thread's, the
// host-rate lease thread's) may be blocked on a Redis that no longer answers (SIGSTOPped, a dead
// link), each for a whole command timeout, and the shutdown runs them one after another. A socket
// given one of these waits in short slices and gives up once the grace after the stop has passed.
// Thread-safe: every connection of the worker asks the same one.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace serentak::queue {

class stop_deadline {
 public:
  // stop: the worker's stop flag (null: never stops); grace: how long after the stop was first seen
  // I/O may still wait.
  stop_deadline(const std::atomic<bool>* stop, std::chrono::milliseconds grace) noexcept;

  // Whether the grace has run out. The first call that sees the stop starts it.
  bool passed() noexcept;

 private:
  const std::atomic<bool>* stop_;
  std::chrono::milliseconds grace_;
  std::atomic<std::int64_t> seen_at_{-1};  // steady-clock milliseconds when the stop was first seen
};

}  // namespace serentak::queue
