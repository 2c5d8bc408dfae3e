#include "client/outputs/progress_line.hpp"

#include <unistd.h>

#include <fmt/format.h>

#include "log/line_writer.hpp"

namespace serentak::client {

progress_line::progress_line(std::uint64_t total)
    : total_(total), started_(std::chrono::steady_clock::now()), drawer_([this] { draw_loop(); }) {}

progress_line::~progress_line() {
  {
    std::lock_guard lock(wake_mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  drawer_.join();
  log::write_fully(2, "\r\x1b[2K");
}

void progress_line::count_done(bool failed) noexcept {
  done_.fetch_add(1, std::memory_order_relaxed);
  if (failed) failed_.fetch_add(1, std::memory_order_relaxed);
}

std::string progress_line::render(std::uint64_t done, std::uint64_t total, std::uint64_t failed, double elapsed_s) {
  double rate = elapsed_s > 0 ? static_cast<double>(done) / elapsed_s : 0;
  std::string eta = "--";
  if (rate > 0 && total >= done) eta = fmt::format("{:.0f}s", static_cast<double>(total - done) / rate);
  double percent = total > 0 ? 100.0 * static_cast<double>(done) / static_cast<double>(total) : 0;
  return fmt::format("{}/{} done ({:.0f}%), {:.1f}/s, ETA {}, {} failed", done, total, percent, rate, eta, failed);
}

void progress_line::draw_loop() {
  std::unique_lock lock(wake_mutex_);
  while (!wake_.wait_for(lock, std::chrono::milliseconds(250), [this] { return stopping_; })) {
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    std::string line = "\r\x1b[2K" + render(done_.load(std::memory_order_relaxed), total_,
                                            failed_.load(std::memory_order_relaxed), elapsed);
    log::write_fully(2, line);
  }
}

}  // namespace serentak::client
