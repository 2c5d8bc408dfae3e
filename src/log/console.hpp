#pragma once
// The one writer of a terminal's stderr while a run draws on it: -v log lines, the progress line
// and the --live screen all pass through here, so a log line is never printed onto the end of the
// progress line (it is erased first and redrawn after) and never scribbles over the live screen.
// Owned by the run (theme_run), outliving the event log and the progress drawer that use it.
//
// Thread safety: every member takes console::mutex_, "the terminal lock": one write(2) of a whole
// frame per call under it. event_log::write() calls print_line() while holding event_log::mutex_,
// so the lock order is event_log::mutex_ then console::mutex_; nothing here calls back out.

#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "log/log_sink.hpp"

namespace serentak::log {

class console final : public log_sink {
 public:
  explicit console(int fd) noexcept : fd_(fd) {}
  ~console();  // leaves the alternate screen if it is still shown
  console(const console&) = delete;
  console& operator=(const console&) = delete;

  int fd() const noexcept { return fd_; }

  // A complete line ending in '\n'. With a status line shown it is erased, the line printed and
  // the status redrawn, all in one write; in screen mode the line is kept (the last few) instead.
  void print_line(std::string_view line);
  // As a sink of the event log (-v): print_line(), best effort (a failure to draw is not the log's).
  void on_line(std::string_view line) noexcept override;

  // The one-line status (the progress line): replaces the one shown; no newline, cut by the caller.
  void show_status(std::string_view status);
  void clear_status();

  // Full-screen mode for --live: the alternate screen buffer, cursor hidden. draw_screen() paints
  // whole lines from the top-left, each already cut to the width; leave_screen() restores the
  // user's screen and cursor. Both are idempotent.
  void enter_screen();
  void draw_screen(const std::vector<std::string>& lines);
  void leave_screen();
  // The last log lines print_line() kept while in screen mode, oldest first.
  std::vector<std::string> recent_lines() const;

  // For a forced exit (the second Ctrl-C _exit()s at once): writes the leave sequence if a
  // screen is shown. Async-signal-safe (an atomic load and one write(2)); not a signal handler.
  static void restore_before_forced_exit() noexcept;

  static constexpr std::string_view erase_line = "\r\x1b[2K";
  static constexpr std::string_view enter_sequence = "\x1b[?1049h\x1b[?25l";
  static constexpr std::string_view leave_sequence = "\x1b[?25h\x1b[?1049l";
  static constexpr std::size_t kept_lines = 8;

 private:
  int fd_;
  mutable std::mutex mutex_;        // the terminal lock: guards every member below and every write to fd_
  std::string status_;              // the status line now on the terminal; "" when none
  bool screen_ = false;             // in the alternate screen
  std::deque<std::string> recent_;  // screen mode: the last kept_lines log lines, without '\n'
};

}  // namespace serentak::log
