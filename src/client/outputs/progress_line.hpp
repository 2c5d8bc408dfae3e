#pragma once
// The progress display on stderr, shown only when it is a terminal (the caller decides): one
// updating line ("done/total, ok / 404 / failed, rate, ETA") cut to the terminal's width, or with
// --live the full-screen view of live_screen.hpp in the alternate screen buffer. Its own thread
// redraws it (the line 4 times a second, the screen 5); the destructor, run on the normal
// end-of-run path after the stop flag (never from a signal), erases the line or restores the screen.
// Plain text, no colour, so NO_COLOR needs nothing more.
//
// Thread safety: count_done() is called by engine workers (run_meter locks itself); the drawing
// thread only reads the meter and writes through log::console, which holds the terminal lock.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "client/outputs/run_meter.hpp"
#include "log/console.hpp"

namespace serentak::client {

enum class progress_style {
  line,    // one line, redrawn in place
  screen,  // --live: the full-screen view
};

class progress_line {
 public:
  // console outlives this object; title heads the live screen ("serentak fetch").
  progress_line(std::uint64_t total, log::console& console, progress_style style = progress_style::line,
                std::string title = "serentak");
  ~progress_line();  // stops the thread, then erases the line or leaves the alternate screen
  progress_line(const progress_line&) = delete;
  progress_line& operator=(const progress_line&) = delete;

  void count_done(outcome kind, std::chrono::microseconds latency) noexcept;

  // The line drawn for these numbers, before it is cut to the width; exposed for tests.
  static std::string render(const meter_snapshot& meter, std::uint64_t total, double elapsed_s);

  // The terminal's size from TIOCGWINSZ on fd, read at every redraw so a resize is followed;
  // 80x24 when fd is not a terminal or reports 0.
  static std::pair<std::size_t, std::size_t> terminal_size(int fd) noexcept;

 private:
  void draw_loop();
  void draw(bool last);
  void note_second(std::uint64_t done, double elapsed_s);

  std::uint64_t total_;
  log::console& console_;
  progress_style style_;
  std::string title_;
  bool utf8_;
  run_meter meter_;
  std::chrono::steady_clock::time_point started_;
  // Owned by the drawing thread (and by the destructor after join): the per-second history.
  std::vector<std::uint64_t> per_second_;
  std::uint64_t done_at_last_second_ = 0;
  std::mutex wake_mutex_;  // guards stopping_ for the condition variable
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread drawer_;
};

}  // namespace serentak::client
