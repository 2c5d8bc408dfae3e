#include "client/outputs/results_file.hpp"

#include <cerrno>
#include <string>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log_text.hpp"
#include "log/line_writer.hpp"

namespace serentak::client {
namespace {

[[noreturn]] void fail(int err, const std::string& what, const std::filesystem::path& path) {
  throw std::system_error(err, std::generic_category(), what + " '" + escape_for_log(path.string()) + "'");
}

}  // namespace

resume_state scan_results(const std::filesystem::path& path, result_format format, std::size_t items) {
  resume_state state;
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return state;
    fail(errno, "cannot open results file", path);
  }
  std::string line;
  off_t complete_end = 0;  // offset just past the last complete line
  off_t offset = 0;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      fail(err, "cannot read results file", path);
    }
    if (n == 0) break;
    for (ssize_t i = 0; i < n; ++i) {
      ++offset;
      if (buf[i] != '\n') {
        line.push_back(buf[i]);
        continue;
      }
      complete_end = offset;
      if (auto index = recorded_index(line, format); index && *index < items) {
        if (*index >= state.done.size()) state.done.resize(*index + 1, false);
        if (!state.done[*index]) ++state.records;
        state.done[*index] = true;
      }
      line.clear();
    }
  }
  if (offset > complete_end) {
    state.torn_bytes = static_cast<std::size_t>(offset - complete_end);
    if (::ftruncate(fd, complete_end) != 0) {
      int err = errno;
      ::close(fd);
      fail(err, "cannot cut the torn last line of", path);
    }
  }
  ::close(fd);
  return state;
}

results_file::results_file(const std::filesystem::path& path, result_format format, bool resume)
    : path_(path), format_(format), resume_(resume) {
  if (path == "-") {  // -o -: the records stream to stdout, through a descriptor of our own
    fd_ = ::fcntl(1, F_DUPFD_CLOEXEC, 3);
    if (fd_ < 0) fail(errno, "cannot write results to stdout", path);
    return;
  }
  int flags = (resume ? O_RDWR : O_WRONLY) | O_APPEND | O_CLOEXEC;
  fd_ = ::open(path.c_str(), flags | O_CREAT | O_EXCL, 0644);
  created_ = fd_ >= 0;
  // It exists (or is a dangling symlink, whose target O_EXCL will not create): open it as it is.
  if (fd_ < 0 && errno == EEXIST) fd_ = ::open(path.c_str(), flags | O_CREAT, 0644);
  if (fd_ < 0) fail(errno, "cannot open results file", path);
}

void results_file::start() {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) fail(errno, "cannot read results file", path_);
  // O_TRUNC's effect, now that every output is open; a device or a pipe (/dev/full, /dev/stdout)
  // has nothing to truncate, and ftruncate would refuse it.
  if (!resume_ && S_ISREG(st.st_mode) && st.st_size > 0 && path_ != "-") {
    if (::ftruncate(fd_, 0) != 0) fail(errno, "cannot truncate results file", path_);
    st.st_size = 0;
  }
  if (format_ == result_format::csv && st.st_size == 0) {
    if (int err = log::write_fully(fd_, csv_header()); err != 0) fail(err, "cannot write results file", path_);
  }
  started_ = true;
}

results_file::~results_file() {
  if (fd_ >= 0) ::close(fd_);
  if (created_ && !started_) ::unlink(path_.c_str());
}

bool results_file::append(const result_record& record) {
  std::string line = format_record(record, format_);
  std::lock_guard lock(write_mutex_);
  if (int err = log::write_fully(fd_, line); err != 0) {
    int expected = 0;
    first_error_.compare_exchange_strong(expected, err, std::memory_order_relaxed);
    return false;
  }
  return true;
}

}  // namespace serentak::client
