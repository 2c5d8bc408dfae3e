#pragma once
// The event log of the seeds' Soal 1, production grade: "[YYYY-MM-DD HH:MM:SS.ffffff] [name] message".
//
// Thread safety: write() may be called from any thread. Locking is taken care of in this class:
// one mutex (mutex_) makes the timestamp and the write one step, so timestamps in the file never
// go backwards; each line is one write(2) on an O_APPEND descriptor, so lines from threads and
// from other processes sharing the file never interleave. When write() returns true the line is
// in the kernel: a process killed afterwards does not lose it.
// Names and messages are untrusted: control characters are escaped, so no input forges a line.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

#include "log/log_sink.hpp"

namespace serentak::log {

class event_log {
 public:
  // Lines gathered by one thread and written with one write(2) (write_batch): escaped and
  // assembled by add() without the lock, stamped with one timestamp under it. Owned by one thread.
  class batch {
   public:
    void add(std::string_view name, std::string_view message);
    bool empty() const noexcept { return starts_.empty(); }
    std::size_t lines() const noexcept { return starts_.size(); }
    void clear() noexcept {
      bytes_.clear();
      starts_.clear();
    }

   private:
    friend class event_log;
    std::string bytes_;                // whole lines, '\n' included, timestamps blank
    std::vector<std::size_t> starts_;  // where each line begins in bytes_
  };

  // A log that writes nothing (for runs without --log).
  event_log() = default;

  // Creates or truncates path and writes "--- <title> Started: <timestamp> ---" as its first
  // line, as the seeds do: open() then start(). Throws std::system_error naming the path (escaped)
  // when it cannot be opened or the first line not written.
  static event_log create(const std::filesystem::path& path, std::string_view title);

  // The two halves of create(), for a run with several outputs: open() creates path if missing and
  // changes no byte of an existing file, so every output can be opened before any is truncated
  // (a bad path must not cost an earlier run's file). lock() locks it for the life of the object
  // (log/output_lock.hpp: std::invalid_argument naming the holder's pid when another run has it).
  // start() truncates a regular file and writes the first line; with append (--resume) it keeps
  // the file and writes "--- <title> Resumed: <timestamp> ---" instead (Started on an empty one).
  // Both throw std::system_error naming the path.
  static event_log open(const std::filesystem::path& path);
  void lock();
  void start(std::string_view title, bool append = false);

  event_log(event_log&& other) noexcept;
  event_log& operator=(event_log&&) = delete;
  event_log(const event_log&) = delete;
  ~event_log();

  // Appends one line; false if the kernel refused it (disk full, EPIPE). The first error is kept;
  // a regular file is cut back to its last whole line, so it never holds a torn one.
  bool write(std::string_view name, std::string_view message);
  // Appends a batch's lines in order, all stamped now, with one write(2) (and one lock): the same
  // guarantees as write() for every line. Leaves the batch as it was (the caller clears it).
  bool write_batch(batch& lines);

  // Also hands each line to sink (log_sink.hpp), e.g. the terminal's console for --verbose, which
  // erases and redraws the progress line around it. Not owned; must outlive the log's writers.
  // Call before threads start. A log without a file still feeds its sinks.
  void add_sink(log_sink* sink);

  // Rotation by size (`monitor --log-max/--log-keep`): before a line that would take the file past
  // max_bytes, the file is renamed PATH.1 (PATH.1 to PATH.2, ..., PATH.<keep> is replaced) and a new
  // PATH is opened and locked, so each line lands whole in one file and none is lost. A file that
  // holds no line yet takes the line whatever its size. keep >= 1. Call before threads start; a
  // log that is not a regular file is never rotated.
  void rotate_at(std::uint64_t max_bytes, unsigned keep);

  bool enabled() const noexcept { return has_file_; }
  // Lines go somewhere (a file or a sink): a writer may skip building them otherwise. Fixed once
  // threads start (sinks are added before).
  bool wants_lines() const noexcept { return has_file_ || !sinks_.empty(); }
  int fd() const noexcept { return fd_; }
  // 0, or the errno of the first write that failed.
  int first_error() const noexcept { return first_error_.load(std::memory_order_relaxed); }
  const std::filesystem::path& path() const noexcept { return path_; }

  // The exact bytes write() appends, without the trailing newline; exposed for tests.
  static std::string format_line(std::string_view timestamp, std::string_view name, std::string_view message);

 private:
  event_log(int fd, std::filesystem::path path) : fd_(fd), has_file_(fd >= 0), path_(std::move(path)) {}

  int fd_ = -1;           // replaced by a rotation (under mutex_): read it under mutex_ only
  bool has_file_ = false;  // fd_ >= 0 when made; never changes, so it is read without the lock
  std::vector<log_sink*> sinks_;  // not owned; fixed before threads start; called under mutex_
  std::filesystem::path path_;
  void rotate_locked();  // under mutex_
  bool write_locked(std::string_view bytes);  // under mutex_: rotation, one write(2), the cut-back

  bool regular_ = false;  // a regular file: a failed write is cut back to size_
  std::uint64_t rotate_bytes_ = 0;  // rotate_at(): 0 never
  unsigned rotate_keep_ = 0;
  off_t size_ = 0;        // bytes of whole lines written (guarded by mutex_ once threads start)
  std::mutex mutex_;  // guards the timestamp-then-write step, nothing else
  std::atomic<int> first_error_{0};
};

}  // namespace serentak::log
