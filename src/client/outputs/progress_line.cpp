#include "client/outputs/progress_line.hpp"

#include <cstdlib>
#include <string_view>

#include <sys/ioctl.h>
#include <unistd.h>

#include <fmt/format.h>

#include "client/outputs/live_screen.hpp"

namespace serentak::client {
namespace {

constexpr std::size_t history_seconds = 600;  // the rate sparkline shows at most the width of these

// The locale the terminal was set up with, as a C program reads it: LC_ALL, then LC_CTYPE, then LANG.
bool locale_is_utf8() {
  for (const char* name : {"LC_ALL", "LC_CTYPE", "LANG"}) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') continue;
    std::string text(value);
    for (char& c : text) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return text.find("utf-8") != std::string::npos || text.find("utf8") != std::string::npos;
  }
  return false;
}

}  // namespace

progress_line::progress_line(std::uint64_t total, log::console& console, progress_style style, std::string title)
    : total_(total),
      console_(console),
      style_(style),
      title_(std::move(title)),
      utf8_(locale_is_utf8()),
      started_(std::chrono::steady_clock::now()) {
  if (style_ == progress_style::screen) console_.enter_screen();
  drawer_ = std::thread([this] { draw_loop(); });
}

progress_line::~progress_line() {
  {
    std::lock_guard lock(wake_mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  drawer_.join();
  if (style_ == progress_style::screen) {
    draw(/*last=*/true);  // the final numbers, for the instant before the user's screen returns
    console_.leave_screen();
  } else {
    console_.clear_status();
  }
}

void progress_line::count_done(outcome kind, std::chrono::microseconds latency) noexcept {
  meter_.count(kind, latency);
}

std::string progress_line::render(const meter_snapshot& meter, std::uint64_t total, double elapsed_s) {
  std::uint64_t done = meter.done();
  double rate = elapsed_s > 0 ? static_cast<double>(done) / elapsed_s : 0;
  std::string eta = "--";
  if (rate > 0 && total >= done) eta = fmt::format("{:.0f}s", static_cast<double>(total - done) / rate);
  double percent = total > 0 ? 100.0 * static_cast<double>(done) / static_cast<double>(total) : 0;
  // The counts come first: on a narrow terminal the cut takes the rate and the ETA.
  return fmt::format("{}/{} done ({:.0f}%): {} ok, {} 404, {} failed; {:.1f}/s, ETA {}", done, total, percent,
                     meter.ok(), meter.not_found(), meter.other_failures(), rate, eta);
}

std::pair<std::size_t, std::size_t> progress_line::terminal_size(int fd) noexcept {
  winsize size{};
  if (::ioctl(fd, TIOCGWINSZ, &size) != 0 || size.ws_col == 0 || size.ws_row == 0) return {80, 24};
  return {size.ws_col, size.ws_row};
}

void progress_line::note_second(std::uint64_t done, double elapsed_s) {
  auto whole = static_cast<std::size_t>(elapsed_s);
  // Items finished since the last whole second go to the second just ended; seconds skipped
  // between two draws (a stalled machine) count 0.
  std::size_t recorded = per_second_.size();
  while (per_second_.size() < whole) {
    per_second_.push_back(per_second_.size() + 1 == whole ? done - done_at_last_second_ : 0);
  }
  if (per_second_.size() != recorded) done_at_last_second_ = done;
  if (per_second_.size() > history_seconds) {
    per_second_.erase(per_second_.begin(), per_second_.end() - static_cast<std::ptrdiff_t>(history_seconds));
  }
}

void progress_line::draw(bool last) {
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  meter_snapshot meter = meter_.snapshot();
  auto [columns, rows] = terminal_size(console_.fd());
  if (style_ == progress_style::line) {
    // One column short of the width: writing the last column leaves some terminals about to wrap.
    console_.show_status(cut_to_columns(render(meter, total_, elapsed), columns - 1));
    return;
  }
  note_second(meter.done(), elapsed);
  live_screen_input input;
  input.title = title_ + (last ? "  (finished)" : "");
  input.total = total_;
  input.elapsed_s = elapsed;
  input.meter = std::move(meter);
  input.per_second = per_second_;
  input.per_second.push_back(input.meter.done() - done_at_last_second_);  // the second in progress, so far
  input.recent_log = console_.recent_lines();
  input.utf8 = utf8_;
  console_.draw_screen(render_live_screen(input, columns - 1, rows));  // as above
}

void progress_line::draw_loop() {
  auto period = std::chrono::milliseconds(style_ == progress_style::screen ? 200 : 250);
  std::unique_lock lock(wake_mutex_);
  while (!wake_.wait_for(lock, period, [this] { return stopping_; })) {
    lock.unlock();
    draw(/*last=*/false);
    lock.lock();
  }
}

}  // namespace serentak::client
