#pragma once
// What a results file already holds, for --resume: every valid record's position, found by the
// item and URL it answers (not by input position), so a reordered, extended or edited input is
// matched record by record. And, at the end of a resumed run, the compaction that leaves exactly
// one current record per item, replacing the file atomically.
//
// Memory: 16 bytes per distinct record (a 64-bit hash of item and URL, and the record's offset),
// 160 MB for 10 million; the records themselves stay on disk. A hash is only a hint: every hit is
// confirmed by reading the record at its offset and comparing item and URL exactly, so two items
// whose hashes collide are both kept, both fetched, neither dropped.
//
// Thread safety: built by one thread; find() is const but reads the file with pread(2), and is
// called under stream_source's lock.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

#include "core/result_record.hpp"
#include "core/results_spec.hpp"
#include "core/run_summary.hpp"

namespace serentak::client {

// The file given to --resume is not a serentak results file of this format (or not a regular
// file): the run is refused (exit 2) and the file left as it was.
class not_results_file : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

class resume_index {
 public:
  // Reads the results file on fd (open read-write and locked by the caller) from its start:
  // checks the preamble (an empty file has none: spec() is then nullopt), validates every record
  // whole (a damaged one counts in damaged() and is treated as missing), keeps the last record of
  // each item and URL, and measures a torn last line (bytes after the last newline). Changes no
  // byte. Throws not_results_file when the first line is not a serentak preamble (or fd is not a
  // regular file), std::system_error on I/O, input_interrupted once stop is set (looked at every
  // 64 KiB: a 10-million-record file takes a minute and more to read).
  static resume_index scan(int fd, const std::filesystem::path& path, result_format format,
                           const std::atomic<bool>* stop = nullptr);

  // Cuts the torn last line off, once the run is accepted. Throws std::system_error.
  void cut_torn_line();

  // The current record of this item and URL (values as stored_field gives them), if any.
  std::optional<stored_record> find(std::string_view item, std::string_view url) const;

  const std::optional<results_spec>& spec() const noexcept { return spec_; }
  std::size_t records() const noexcept { return entries_.size(); }  // distinct items with a record
  std::size_t damaged() const noexcept { return damaged_; }         // lines that are not a record
  std::size_t superseded() const noexcept { return superseded_; }   // older records of an item
  std::size_t torn_bytes() const noexcept { return torn_bytes_; }   // cut off the end

  // Keeps only the current records: the file is rewritten (current spec first, records in file
  // order) into "<path>.serentak-compact" in the same folder, fsync'ed, locked, renamed over path,
  // and the folder fsync'ed, so a crash at any moment leaves either the old file or the new one.
  // Rewrites only when something is to be dropped or the spec line changes. Returns the summary
  // of the records the file holds, and the new descriptor (or fd itself) in *fd_out: the caller
  // closes the old one after a rewrite. Throws std::system_error, or input_interrupted once stop is
  // set; the old file is then untouched.
  run_summary compact(const results_spec& current, int* fd_out, const std::atomic<bool>* stop = nullptr);

  // The key hash (public for tests of the collision handling).
  static std::uint64_t key_hash(std::string_view item, std::string_view url) noexcept;

 private:
  struct entry {
    std::uint64_t hash;
    std::uint64_t offset;  // of the record's first byte
  };
  resume_index(int fd, std::filesystem::path path, result_format format)
      : fd_(fd), path_(std::move(path)), format_(format) {}

  std::optional<stored_record> read_record(std::uint64_t offset) const;
  void keep_latest();  // sorts entries_ by hash and drops all but the last record of each key

  int fd_;
  std::filesystem::path path_;
  result_format format_;
  std::optional<results_spec> spec_;
  std::vector<entry> entries_;  // sorted by (hash, offset) after scan, one per key
  std::size_t damaged_ = 0;
  std::size_t superseded_ = 0;
  std::size_t torn_bytes_ = 0;
  std::uint64_t complete_bytes_ = 0;  // up to and including the last newline
};

// Whether a final record should be fetched again by --resume (repair mode): timeouts, connection
// errors, HTTP 408, 429 and 5xx.
bool is_transient_record(const stored_record& record) noexcept;

}  // namespace serentak::client
