#pragma once
// Every byte serentak writes to stdout or stderr goes through here (issue 14, point 4). fmt::print
// throws std::system_error when the write fails (a closed pipe, /dev/full), and a throw from the
// wrong place is std::terminate; these never throw, and remember the first failure of each stream
// so the command can turn an unwritable stdout into its exit status (exit_io_error).
//
// Thread safety: any thread may write; each call is one write_fully() of the whole text (one
// write(2) unless the pipe is full), and the failure records are atomics.

#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace serentak::cli::console {

// Called first thing in main, before anything opens a file: descriptors 0, 1 and 2 that are
// closed are opened on /dev/null (so no log or results file becomes "stdout"), and SIGPIPE and
// SIGXFSZ are ignored, so a closed stdout pipe is an EPIPE and a write past the file size limit
// (ulimit -f) an EFBIG we report and cut back, not a silent death by signal with a torn record.
void prepare_process() noexcept;

void out(std::string_view text) noexcept;
void err(std::string_view text) noexcept;

template <typename... Args>
void out(fmt::format_string<Args...> format, Args&&... args) noexcept {
  try {
    out(std::string_view(fmt::format(format, std::forward<Args>(args)...)));
  } catch (...) {  // bad_alloc: the text is lost, the run goes on
  }
}

template <typename... Args>
void err(fmt::format_string<Args...> format, Args&&... args) noexcept {
  try {
    err(std::string_view(fmt::format(format, std::forward<Args>(args)...)));
  } catch (...) {
  }
}

int stdout_error() noexcept;  // errno of the first failed stdout write, 0 if none
int stderr_error() noexcept;  // errno of the first failed stderr write, 0 if none

// The command's exit status once stdout's fate is known: an ok (0) or items-failed (1) run whose
// stdout could not be written ends exit_io_error (3), with one line on stderr unless the reader
// simply left (EPIPE: `| head -1`). Usage errors and interruptions keep their own status.
int settle_exit_status(int status, std::string_view command) noexcept;

}  // namespace serentak::cli::console
