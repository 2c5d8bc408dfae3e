#include "client/outputs/results_file.hpp"

#include <cerrno>
#include <string>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/outputs/resume_index.hpp"
#include "core/file_error.hpp"
#include "core/log_text.hpp"
#include "log/line_writer.hpp"
#include "log/output_lock.hpp"

namespace serentak::client {

results_file::results_file(const std::filesystem::path& path, result_format format, bool resume)
    : path_(path), format_(format), resume_(resume) {
  if (path == "-") {  // -o -: the records stream to stdout, through a descriptor of our own
    if (resume) throw not_results_file("--resume needs a regular results file, not '-' (stdout)");
    fd_ = ::fcntl(1, F_DUPFD_CLOEXEC, 3);
    if (fd_ < 0) throw_file_error(errno, "cannot write results to stdout", path);
    return;
  }
  fd_ = ::open(path.c_str(), open_flags() | O_CREAT | O_EXCL, 0644);
  created_ = fd_ >= 0;
  // It exists (or is a dangling symlink, whose target O_EXCL will not create): open it as it is.
  if (fd_ < 0 && errno == EEXIST) fd_ = ::open(path.c_str(), open_flags() | O_CREAT, 0644);
  if (fd_ < 0) throw_file_error(errno, "cannot open results file", path);
  struct stat st {};
  if (::fstat(fd_, &st) != 0) throw_file_error(errno, "cannot read results file", path_);
  regular_ = S_ISREG(st.st_mode);
  if (resume && !regular_) {
    ::close(fd_);
    fd_ = -1;
    throw not_results_file("--resume needs a regular results file; '" + escape_for_log(path.string()) +
                           "' is a FIFO, device or socket");
  }
}

int results_file::open_flags() const noexcept { return (resume_ ? O_RDWR : O_WRONLY) | O_APPEND | O_CLOEXEC; }

void results_file::lock() {
  if (path_ == "-") return;  // stdout is the caller's: nothing of ours to guard
  log::lock_output_at_path(fd_, path_, open_flags(), "results file");
}

void results_file::start(const results_spec& spec, bool with_round) {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) throw_file_error(errno, "cannot read results file", path_);
  // O_TRUNC's effect, now that every output is open; a device or a pipe (/dev/full, /dev/stdout)
  // has nothing to truncate, and ftruncate would refuse it.
  if (!resume_ && regular_ && st.st_size > 0 && path_ != "-") {
    if (::ftruncate(fd_, 0) != 0) throw_file_error(errno, "cannot truncate results file", path_);
    st.st_size = 0;
  }
  size_ = regular_ ? st.st_size : 0;
  // No preamble on stdout: a reader of `-o -` gets records only, and it can never be resumed. CSV
  // still starts with its column header, without which a CSV reader takes the first record for it.
  if (st.st_size == 0) {
    std::string preamble = path_ != "-"                    ? results_preamble(spec, format_, with_round)
                           : format_ == result_format::csv ? csv_header(with_round)
                                                           : std::string();
    if (int err = log::write_fully(fd_, preamble); err != 0) {
      if (regular_) (void)::ftruncate(fd_, 0);
      throw_file_error(err, "cannot write results file", path_);
    }
    size_ += static_cast<off_t>(preamble.size());
  }
  started_ = true;
}

results_file::~results_file() {
  if (fd_ >= 0) ::close(fd_);
  if (created_ && !started_) ::unlink(path_.c_str());
}

bool results_file::append(const result_record& record) { return append_formatted(format_record(record, format_)); }

bool results_file::append_formatted(std::string_view line) {
  if (line.empty()) return true;
  std::lock_guard lock(write_mutex_);
  if (first_error_.load(std::memory_order_relaxed) != 0) return false;  // nothing after a cut record
  if (int err = log::write_fully(fd_, line); err != 0) {
    // A short write left part of the record: cut the file back to where it started.
    if (regular_) (void)::ftruncate(fd_, size_);
    first_error_.store(err, std::memory_order_relaxed);
    return false;
  }
  size_ += static_cast<off_t>(line.size());
  return true;
}

run_summary results_file::finish_resume(const results_spec& spec, const std::atomic<bool>* stop) {
  std::lock_guard lock(write_mutex_);
  resume_index index = resume_index::scan(fd_, path_, format_, stop);
  index.cut_torn_line();
  int now = fd_;
  run_summary summary = index.compact(spec, &now, stop);
  if (now != fd_) {
    ::close(fd_);  // releases the lock on the old, now unlinked, file; the new one is held
    fd_ = now;
  }
  return summary;
}

}  // namespace serentak::client
