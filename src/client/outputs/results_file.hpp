#pragma once
// The results file (--out): exactly one record per item, appended when its final outcome is
// known, one write(2) per record on an O_APPEND descriptor, so a killed run leaves whole records
// and at most one torn last line, which --resume drops.
//
// Thread safety: append() is called by every engine worker; write_mutex_ keeps records whole
// and in one piece. The first write error is kept and reported at the end of the run.

#include <atomic>
#include <filesystem>
#include <mutex>
#include <vector>

#include "core/result_record.hpp"

namespace serentak::client {

// What an existing results file already holds, for --resume.
struct resume_state {
  std::vector<bool> done;         // done[index]: a final record exists
  std::size_t records = 0;        // complete records found
  std::size_t torn_bytes = 0;     // bytes of a torn last line that were cut off
};

// Reads path (if it exists), marks every recorded index below items (the run's item count: a
// larger index is not this input's, and must not size done[]) and truncates a torn last line.
// Throws std::system_error when the file exists but cannot be read or truncated.
resume_state scan_results(const std::filesystem::path& path, result_format format, std::size_t items);

class results_file {
 public:
  // Opens path for appending, creating it if missing, and changes no byte of an existing file, so
  // a run opens every output before it truncates any (a bad --log must not cost an earlier run's
  // results). resume: opened read-write, as scan_results needs it. Throws std::system_error naming
  // the path (escaped) when it cannot be opened. "-" is stdout (never truncated, never removed).
  // A file this call created and start() never reached is removed again: a refused run leaves no
  // results file behind.
  results_file(const std::filesystem::path& path, result_format format, bool resume);
  ~results_file();
  results_file(const results_file&) = delete;
  results_file& operator=(const results_file&) = delete;

  // Once every output is open (and, with resume, after scan_results): truncates the file unless
  // resuming, and writes the CSV header into an empty CSV file. Throws std::system_error naming
  // the path when it cannot. Call before append().
  void start();

  bool append(const result_record& record);
  result_format format() const noexcept { return format_; }
  int first_error() const noexcept { return first_error_.load(std::memory_order_relaxed); }

 private:
  int fd_ = -1;
  std::filesystem::path path_;
  result_format format_;
  bool resume_ = false;
  bool created_ = false;  // the constructor created the file: the destructor removes it unless started_
  bool started_ = false;  // start() succeeded
  std::mutex write_mutex_;  // one record, one write, in order
  std::atomic<int> first_error_{0};
};

}  // namespace serentak::client
