#include "log/console.hpp"

#include <atomic>

#include <unistd.h>

#include "log/line_writer.hpp"

namespace serentak::log {
namespace {

// The descriptor showing an alternate screen, or -1: read by restore_before_forced_exit().
std::atomic<int> screen_fd{-1};

}  // namespace

console::~console() { leave_screen(); }

void console::on_line(std::string_view line) noexcept {
  try {
    print_line(line);
  } catch (...) {  // out of memory while drawing: the line is in the file all the same
  }
}

void console::print_line(std::string_view line) {
  std::lock_guard lock(mutex_);
  if (screen_) {
    std::string_view text = line.ends_with('\n') ? line.substr(0, line.size() - 1) : line;
    recent_.emplace_back(text);
    if (recent_.size() > kept_lines) recent_.pop_front();
    return;
  }
  if (status_.empty()) {
    write_fully(fd_, line);  // best effort, as the echo always was: the log file is the record
    return;
  }
  std::string frame;
  frame.reserve(erase_line.size() + line.size() + status_.size());
  frame += erase_line;
  frame += line;
  frame += status_;
  write_fully(fd_, frame);
}

void console::show_status(std::string_view status) {
  std::lock_guard lock(mutex_);
  if (screen_) return;
  status_ = status;
  std::string frame(erase_line);
  frame += status_;
  write_fully(fd_, frame);
}

void console::clear_status() {
  std::lock_guard lock(mutex_);
  if (status_.empty()) return;
  status_.clear();
  write_fully(fd_, erase_line);
}

void console::enter_screen() {
  std::lock_guard lock(mutex_);
  if (screen_) return;
  screen_ = true;
  screen_fd.store(fd_);
  write_fully(fd_, enter_sequence);
}

void console::draw_screen(const std::vector<std::string>& lines) {
  std::lock_guard lock(mutex_);
  if (!screen_) return;
  // Home, then each line followed by "clear to end of line"; the last line has no newline, so a
  // full screen never scrolls; "clear to end of screen" removes rows of a taller earlier frame.
  std::string frame = "\x1b[H";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    frame += lines[i];
    frame += "\x1b[K";
    if (i + 1 < lines.size()) frame += "\r\n";
  }
  frame += "\x1b[J";
  write_fully(fd_, frame);
}

void console::leave_screen() {
  std::lock_guard lock(mutex_);
  if (!screen_) return;
  screen_ = false;
  screen_fd.store(-1);
  write_fully(fd_, leave_sequence);
}

std::vector<std::string> console::recent_lines() const {
  std::lock_guard lock(mutex_);
  return {recent_.begin(), recent_.end()};
}

void console::restore_before_forced_exit() noexcept {
  int fd = screen_fd.exchange(-1);
  if (fd >= 0) write_fully(fd, leave_sequence);
}

}  // namespace serentak::log
