#pragma once
// The mock server's access lines, written off the I/O threads: push() appends a whole line to a
// bounded queue and returns at once; one writer thread hands the lines to the descriptor (stdout)
// in order. A reader that stops reading (a full pipe, a paused pager) or has gone (EPIPE) never
// delays a request: lines that do not fit the queue, or cannot be written, are dropped and counted
// (server_stats' access_lines_dropped), and the first drop is said once on stderr.
// The writer never waits in write(2) on a pipe: it polls for room with a timeout and writes at
// most PIPE_BUF bytes at a time, so stop() ends it within flush_time; if a device still blocks it
// (a terminal stopped with Ctrl-S), stop() leaves it detached after a bound: its state is shared.
// Owned by mock_server; push() is thread-safe (one mutex, held to append); stop() once.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <thread>

namespace serentak::server {

class access_log {
 public:
  // fd: where lines go; -1: nowhere (push() does nothing). dropped: the counter drops are added to
  // (shared, so a detached writer never outlives it). queue_limit_bytes: the queue's bound.
  access_log(int fd, std::shared_ptr<std::atomic<std::uint64_t>> dropped, std::size_t queue_limit_bytes = 4 << 20);
  ~access_log();
  access_log(const access_log&) = delete;
  access_log& operator=(const access_log&) = delete;

  void push(std::string_view line);
  // Writes what it can within flush_time, drops the rest, ends the writer. Idempotent.
  void stop();

  static constexpr std::chrono::milliseconds flush_time{250};

 private:
  struct state;
  std::shared_ptr<state> state_;
  std::thread writer_;
};

}  // namespace serentak::server
