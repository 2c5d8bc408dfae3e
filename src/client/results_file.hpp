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
  // resume: append to what is there (after scan_results); otherwise truncate. Throws
  // std::system_error naming the path when it cannot be opened or the CSV header not written.
  results_file(const std::filesystem::path& path, result_format format, bool resume);
  ~results_file();
  results_file(const results_file&) = delete;
  results_file& operator=(const results_file&) = delete;

  bool append(const result_record& record);
  result_format format() const noexcept { return format_; }
  int first_error() const noexcept { return first_error_.load(std::memory_order_relaxed); }

 private:
  int fd_ = -1;
  result_format format_;
  std::mutex write_mutex_;  // one record, one write, in order
  std::atomic<int> first_error_{0};
};

}  // namespace serentak::client
