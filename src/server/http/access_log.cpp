#include "server/http/access_log.hpp"

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <limits.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

namespace serentak::server {
namespace {

using clock = std::chrono::steady_clock;

constexpr int poll_ms = 50;  // how often a waiting writer looks at the stop flag
// After stop(), how long to wait for the writer before leaving it detached: it can only be late
// when a device blocks a write that poll() said had room (a terminal stopped with Ctrl-S).
constexpr std::chrono::milliseconds join_time{500};

// A write that poll() has just seen room for never blocks when it is at most PIPE_BUF bytes (a
// pipe's POLLOUT means a free page); a regular file never blocks for long, so it takes it whole.
std::size_t chunk_for(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) return std::size_t{1} << 20;
  return PIPE_BUF;
}

}  // namespace

struct access_log::state {
  int fd = -1;
  std::size_t limit = 0;
  std::size_t chunk = PIPE_BUF;
  std::shared_ptr<std::atomic<std::uint64_t>> dropped;

  std::mutex mutex;  // guards everything below
  std::condition_variable changed;
  std::deque<std::string> lines;
  std::size_t bytes = 0;  // in `lines`
  bool stopping = false;
  bool broken = false;  // the descriptor failed (EPIPE, EBADF): every later line is dropped
  bool exited = false;
  clock::time_point flush_deadline;
  std::string drop_reason;  // set by the first drop; said on stderr once by the writer
  bool drop_said = false;

  void drop(std::uint64_t n, const char* why) {  // under mutex
    dropped->fetch_add(n, std::memory_order_relaxed);
    if (drop_reason.empty()) drop_reason = why;
  }

  void run();
  void write_batch(const std::string& buffer, const std::vector<std::size_t>& ends);
  void say_drop_once();
};

void access_log::state::say_drop_once() {
  std::string line;
  {
    std::lock_guard lock(mutex);
    if (drop_said || drop_reason.empty()) return;
    drop_said = true;
    line = "serentak serve: access lines are being dropped (" + drop_reason +
           "); the count is access_lines_dropped in /__serentak/stats and /metrics\n";
  }
  // stderr may be the same stalled pipe: write only if there is room now, never wait.
  pollfd p{2, POLLOUT, 0};
  if (::poll(&p, 1, 0) == 1 && (p.revents & POLLOUT) != 0) {
    [[maybe_unused]] ssize_t n = ::write(2, line.data(), std::min(line.size(), std::size_t{PIPE_BUF}));
  }
}

void access_log::state::write_batch(const std::string& buffer, const std::vector<std::size_t>& ends) {
  std::size_t written = 0;
  auto drop_rest = [&](const char* why) {
    std::uint64_t n = 0;
    for (std::size_t end : ends) n += end > written ? 1 : 0;  // a line cut short counts as dropped
    std::lock_guard lock(mutex);
    drop(n, why);
  };
  while (written < buffer.size()) {
    {
      std::lock_guard lock(mutex);
      if (stopping && clock::now() >= flush_deadline) {
        drop_reason = drop_reason.empty() ? "stopped before stdout took them" : drop_reason;
        break;
      }
    }
    pollfd p{fd, POLLOUT, 0};
    int ready = ::poll(&p, 1, poll_ms);
    if (ready < 0 && errno != EINTR) return drop_rest("poll failed on stdout");
    if (ready <= 0) {
      say_drop_once();
      continue;
    }
    if ((p.revents & POLLOUT) == 0) {  // POLLERR (no reader left), POLLNVAL
      {
        std::lock_guard lock(mutex);
        broken = true;
      }
      return drop_rest("stdout is closed");
    }
    ssize_t n = ::write(fd, buffer.data() + written, std::min(buffer.size() - written, chunk));
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) {
      const char* why = errno == EPIPE ? "stdout is closed: broken pipe" : "stdout cannot be written";
      {
        std::lock_guard lock(mutex);
        broken = true;
      }
      return drop_rest(why);
    }
    written += static_cast<std::size_t>(n);
  }
  if (written < buffer.size()) drop_rest("stopped before stdout took them");
}

void access_log::state::run() {
  std::vector<std::size_t> ends;
  std::string buffer;
  for (;;) {
    std::deque<std::string> batch;
    {
      std::unique_lock lock(mutex);
      changed.wait(lock, [this] { return !lines.empty() || stopping; });
      if (lines.empty()) break;  // stopping, and all written
      batch.swap(lines);
      bytes = 0;
    }
    buffer.clear();
    ends.clear();
    for (const std::string& line : batch) {
      buffer += line;
      ends.push_back(buffer.size());
    }
    write_batch(buffer, ends);
    say_drop_once();
  }
  say_drop_once();
  std::lock_guard lock(mutex);
  exited = true;
  changed.notify_all();
}

access_log::access_log(int fd, std::shared_ptr<std::atomic<std::uint64_t>> dropped, std::size_t queue_limit_bytes)
    : state_(std::make_shared<state>()) {
  state_->fd = fd;
  state_->limit = queue_limit_bytes;
  state_->dropped = std::move(dropped);
  if (fd < 0) return;
  state_->chunk = chunk_for(fd);
  writer_ = std::thread([s = state_] { s->run(); });
}

access_log::~access_log() { stop(); }

void access_log::push(std::string_view line) {
  if (state_->fd < 0 || line.empty()) return;
  bool was_empty = false;
  {
    std::lock_guard lock(state_->mutex);
    if (state_->stopping || state_->broken) return state_->drop(1, "stdout is closed");
    if (state_->bytes + line.size() > state_->limit) {
      return state_->drop(1, "stdout is not read fast enough: the queue is full");
    }
    was_empty = state_->lines.empty();
    state_->lines.emplace_back(line);
    state_->bytes += line.size();
  }
  if (was_empty) state_->changed.notify_all();  // the writer waits only on an empty queue
}

void access_log::stop() {
  if (!writer_.joinable()) return;
  std::unique_lock lock(state_->mutex);
  state_->stopping = true;
  state_->flush_deadline = clock::now() + flush_time;
  state_->changed.notify_all();
  bool exited = state_->changed.wait_for(lock, flush_time + join_time, [this] { return state_->exited; });
  lock.unlock();
  if (exited) {
    writer_.join();
  } else {
    writer_.detach();  // blocked in a device's write: it holds its own state; the process is ending
  }
}

}  // namespace serentak::server
