#pragma once
// Reads a whole file a user named (a request body, a header file, a --config, a monitor or scenario
// file) with an explicit bound, so /dev/zero, a huge file or a FIFO that never ends costs at most the
// bound and one line, and a directory is named as one rather than read as empty or as garbage. A FIFO
// is opened without waiting for a writer and polled every 100 ms, asking `stopped` each time, so a
// stop signal ends the wait (a blocking open or read of a FIFO is deaf to signals that are blocked).
// I/O in core because each layer that reads such a file (scenario, monitor, cli) sits above it, as
// process_start reads /proc. No state; thread-safe.

#include <cstddef>
#include <functional>
#include <stdexcept>
#include <string>

namespace serentak {

// What went wrong, as the end of a sentence about the file: "is a directory", "is over 16 MiB",
// "cannot be read: No such file or directory". The caller names the file and its option.
class file_read_error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// `stopped` said yes while the file was still being read. The reader says "interrupted while being
// read"; a caller may say more ("interrupted while reading --data 'body.fifo'").
class file_read_interrupted : public file_read_error {
 public:
  explicit file_read_interrupted(const std::string& what = "interrupted while being read") : file_read_error(what) {}
};

// The file's bytes, at most max_bytes of them; throws file_read_error (or file_read_interrupted).
std::string read_bounded_file(const std::string& path, std::size_t max_bytes,
                              const std::function<bool()>& stopped = {});

// "16 MiB", "64 MiB", "1 KiB", "100 bytes": a limit as the user reads it.
std::string byte_limit_text(std::size_t bytes);

}  // namespace serentak
