#include "log/event_log.hpp"

#include <algorithm>
#include <cerrno>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file_error.hpp"
#include "core/log_text.hpp"
#include "core/timestamp.hpp"
#include "log/line_writer.hpp"
#include "log/output_lock.hpp"

namespace serentak::log {

event_log event_log::create(const std::filesystem::path& path, std::string_view title) {
  event_log log = open(path);
  log.lock();
  log.start(title);
  return log;
}

event_log event_log::open(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw_file_error(errno, "cannot open log file", path);
  return event_log(fd, path);
}

void event_log::lock() {
  if (fd_ < 0) return;
  lock_output_at_path(fd_, path_, O_WRONLY | O_APPEND | O_CLOEXEC, "log file");
}

void event_log::start(std::string_view title, bool append) {
  // O_TRUNC's effect, now that every output is open; a device or a pipe (/dev/full, /dev/stdout)
  // has nothing to truncate, and ftruncate would refuse it. A resumed run appends instead, after
  // a marker line, so the earlier runs' lines stay.
  if (fd_ < 0) return;
  struct stat st {};
  regular_ = ::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode);
  if (regular_ && !append && ::ftruncate(fd_, 0) != 0) throw_file_error(errno, "cannot truncate log file", path_);
  size_ = regular_ && append ? st.st_size : 0;
  std::string header = "--- " + escape_for_log(title) + (append && size_ > 0 ? " Resumed: " : " Started: ") +
                       format_timestamp(wall_clock::now()) + " ---\n";
  if (int err = write_fully(fd_, header); err != 0) {
    if (regular_) (void)::ftruncate(fd_, size_);
    throw_file_error(err, "cannot write log file", path_);
  }
  size_ += static_cast<off_t>(header.size());
}

event_log::event_log(event_log&& other) noexcept
    : fd_(other.fd_), has_file_(other.has_file_), sinks_(std::move(other.sinks_)), path_(std::move(other.path_)), regular_(other.regular_),
      rotate_bytes_(other.rotate_bytes_), rotate_keep_(other.rotate_keep_), size_(other.size_),
      first_error_(other.first_error_.load()) {
  other.fd_ = -1;
  other.has_file_ = false;
}

void event_log::add_sink(log_sink* sink) {
  if (sink != nullptr) sinks_.push_back(sink);
}

void event_log::rotate_at(std::uint64_t max_bytes, unsigned keep) {
  rotate_bytes_ = keep >= 1 ? max_bytes : 0;
  rotate_keep_ = keep;
}

// Oldest first, so no rename replaces a file still to be moved; a missing one (fewer rotations so
// far) is skipped. If the new file cannot be opened the log goes on in the renamed one: no line
// is lost, and the error is kept for the exit status.
void event_log::rotate_locked() {
  const auto numbered = [&](unsigned k) { return std::filesystem::path(path_.string() + "." + std::to_string(k)); };
  for (unsigned k = rotate_keep_; k >= 2; --k) (void)::rename(numbered(k - 1).c_str(), numbered(k).c_str());
  if (::rename(path_.c_str(), numbered(1).c_str()) != 0) {
    int expected = 0;
    first_error_.compare_exchange_strong(expected, errno, std::memory_order_relaxed);
    rotate_bytes_ = 0;  // keep writing where we are
    return;
  }
  const int fresh = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fresh < 0) {
    int expected = 0;
    first_error_.compare_exchange_strong(expected, errno, std::memory_order_relaxed);
    rotate_bytes_ = 0;
    return;
  }
  try {
    lock_output(fresh, path_, "log file");
  } catch (const std::exception&) {
    // Another process took the brand-new file between our open and lock: leave it to them.
    ::close(fresh);
    int expected = 0;
    first_error_.compare_exchange_strong(expected, EBUSY, std::memory_order_relaxed);
    rotate_bytes_ = 0;
    return;
  }
  ::close(fd_);
  fd_ = fresh;
  size_ = 0;
}

event_log::~event_log() {
  if (fd_ >= 0) ::close(fd_);
}

namespace {

// Appends "[<timestamp>] [name] message" with the timestamp left blank, to be filled under the lock.
void append_line_without_timestamp(std::string& out, std::string_view name, std::string_view message) {
  out.reserve(out.size() + timestamp_length + name.size() + message.size() + 8);
  out += '[';
  out.append(timestamp_length, ' ');
  out += "] [";
  append_escaped_for_log(out, name);
  out += "] ";
  append_escaped_for_log(out, message);
}

std::string line_without_timestamp(std::string_view name, std::string_view message) {
  std::string line;
  append_line_without_timestamp(line, name, message);
  return line;
}

}  // namespace

std::string event_log::format_line(std::string_view timestamp, std::string_view name, std::string_view message) {
  std::string line = line_without_timestamp(name, message);
  line.replace(1, timestamp_length, timestamp);
  return line;
}

void event_log::batch::add(std::string_view name, std::string_view message) {
  starts_.push_back(bytes_.size());
  append_line_without_timestamp(bytes_, name, message);
  bytes_ += '\n';
}

bool event_log::write(std::string_view name, std::string_view message) {
  if (!has_file_ && sinks_.empty()) return true;
  // Escaping and assembly happen before the lock; only the timestamp and the write(2) are inside it.
  std::string line = line_without_timestamp(name, message);
  line += '\n';
  std::lock_guard lock(mutex_);
  format_timestamp_into(wall_clock::now(), line.data() + 1);
  for (log_sink* sink : sinks_) sink->on_line(line);  // best effort: the file is the record
  return write_locked(line);
}

bool event_log::write_batch(batch& lines) {
  if (lines.empty() || (!has_file_ && sinks_.empty())) return true;
  std::lock_guard lock(mutex_);
  char stamp[timestamp_length];
  format_timestamp_into(wall_clock::now(), stamp);
  for (std::size_t k = 0; k < lines.starts_.size(); ++k) {
    const std::size_t start = lines.starts_[k];
    std::copy(stamp, stamp + timestamp_length, lines.bytes_.data() + start + 1);
    if (!sinks_.empty()) {
      const std::size_t end = k + 1 < lines.starts_.size() ? lines.starts_[k + 1] : lines.bytes_.size();
      const std::string_view line(lines.bytes_.data() + start, end - start);
      for (log_sink* sink : sinks_) sink->on_line(line);
    }
  }
  return write_locked(lines.bytes_);
}

bool event_log::write_locked(std::string_view bytes) {
  if (fd_ < 0) return true;
  if (rotate_bytes_ > 0 && regular_ && size_ > 0 &&
      static_cast<std::uint64_t>(size_) + bytes.size() > rotate_bytes_) {
    rotate_locked();
  }
  if (int err = write_fully(fd_, bytes); err != 0) {
    // No torn line: a short write (disk full, quota, file size limit) is cut back off.
    if (regular_) (void)::ftruncate(fd_, size_);
    int expected = 0;
    first_error_.compare_exchange_strong(expected, err, std::memory_order_relaxed);
    return false;
  }
  size_ += static_cast<off_t>(bytes.size());
  return true;
}

}  // namespace serentak::log
