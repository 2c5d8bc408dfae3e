#pragma once
// One updating progress line on stderr ("done/total, rate, ETA, failures so far"), redrawn a
// few times a second by its own thread, and erased when the run ends. Shown only when stderr is
// a terminal (the caller decides); plain text, no colour, so NO_COLOR needs nothing more.
//
// Thread safety: the counters are atomics bumped by engine workers (count_done); the drawing
// thread only reads them.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace serentak::client {

class progress_line {
 public:
  explicit progress_line(std::uint64_t total);
  ~progress_line();  // stops the thread and erases the line
  progress_line(const progress_line&) = delete;
  progress_line& operator=(const progress_line&) = delete;

  void count_done(bool failed) noexcept;

  // The text drawn for these numbers; exposed for tests.
  static std::string render(std::uint64_t done, std::uint64_t total, std::uint64_t failed, double elapsed_s);

 private:
  void draw_loop();

  std::uint64_t total_;
  std::atomic<std::uint64_t> done_{0};
  std::atomic<std::uint64_t> failed_{0};
  std::chrono::steady_clock::time_point started_;
  std::mutex wake_mutex_;  // guards stopping_ for the condition variable
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread drawer_;
};

}  // namespace serentak::client
