#pragma once
// The results file (--out): a preamble line naming the request specification (core/results_spec),
// then one record per item, appended when its final outcome is known, one write(2) per record on
// an O_APPEND descriptor. A write that fails or falls short (disk full, quota, I/O error, file size
// limit) is cut back (ftruncate) to where its record started and no record follows it, so the
// file never holds a torn record followed by another; a killed run leaves at most one torn last
// line, which --resume cuts. The file is locked for the whole run (log/output_lock.hpp).
//
// Thread safety: append() is called by every engine worker; write_mutex_ keeps records whole,
// in one piece, and size_ exact. The first write error is kept and reported at the end of the run.

#include <atomic>
#include <filesystem>
#include <mutex>

#include <sys/types.h>

#include "core/result_record.hpp"
#include "core/results_spec.hpp"
#include "core/run_summary.hpp"

namespace serentak::client {

class results_file {
 public:
  // Opens path for appending, creating it if missing, and changes no byte of an existing file, so
  // a run opens every output before it truncates any (a bad --log must not cost an earlier run's
  // results). resume: opened read-write for resume_index, and it must be a regular file
  // (not_results_file otherwise). Throws std::system_error naming the path (escaped) when it
  // cannot be opened. "-" is stdout (never truncated, locked or removed). A file this call
  // created and start() never reached is removed again: a refused run leaves no results file
  // behind.
  results_file(const std::filesystem::path& path, result_format format, bool resume);
  ~results_file();
  results_file(const results_file&) = delete;

  // Locks the file for the life of this object (log/output_lock.hpp): std::invalid_argument naming
  // the holder's pid when another run has it. Called once the outputs are known to be distinct
  // files (a log opened on the same file would otherwise look like another run).
  void lock();
  results_file& operator=(const results_file&) = delete;

  // Once every output is open (and, with resume, after resume_index::scan): truncates the file
  // unless resuming, and writes the preamble (spec line, CSV column header) into an empty file.
  // Throws std::system_error naming the path when it cannot. Call before append(). with_round: a
  // file of --every (CSV: its header has the round column its records end with).
  void start(const results_spec& spec, bool with_round = false);

  // One record; false if it could not be written whole (then it was cut back off, and every later
  // call is refused too: the file ends with whole records).
  bool append(const result_record& record);
  // The same for records gathered by one thread: format() appends a record's bytes to a buffer
  // of the caller's, append_formatted() writes them all with one write(2), whole or not at all.
  void format(const result_record& record, std::string& out) const { append_record(out, record, format_); }
  bool append_formatted(std::string_view records);
  bool failed() const noexcept { return first_error() != 0; }

  // End of a resumed run: scans the file again and compacts it (resume_index::compact), keeping
  // the lock on the new file. Returns the summary of every record the file holds. Throws
  // std::system_error, or input_interrupted once stop is set; the file is then as the run left it,
  // which a further --resume completes.
  run_summary finish_resume(const results_spec& spec, const std::atomic<bool>* stop = nullptr);

  int fd() const noexcept { return fd_; }
  result_format format() const noexcept { return format_; }
  int first_error() const noexcept { return first_error_.load(std::memory_order_relaxed); }

 private:
  int open_flags() const noexcept;

  int fd_ = -1;
  std::filesystem::path path_;
  result_format format_;
  bool resume_ = false;
  bool created_ = false;    // the constructor created the file: the destructor removes it unless started_
  bool started_ = false;    // start() succeeded
  bool regular_ = false;    // a regular file: a failed write can be cut back
  std::mutex write_mutex_;  // one record, one write, in order; guards size_
  off_t size_ = 0;          // bytes of whole lines in the file
  std::atomic<int> first_error_{0};
};

}  // namespace serentak::client
