#pragma once
// Where the event log's lines go besides its file: the terminal echo of -v today, a live page or a
// queue later. A sink subscribes with event_log::add_sink() before any thread writes.
//
// Thread safety: on_line() is called under event_log::mutex_, from whichever thread wrote the line,
// one line at a time and in file order. So a sink sees lines exactly as the file has them, but it
// must be quick (every writer waits for it), must not call back into the log, and locks only what
// it owns, after event_log::mutex_ (the lock order, see console.hpp).

#include <string_view>

namespace serentak::log {

class log_sink {
 public:
  virtual ~log_sink() = default;
  // One whole line as written to the file, timestamp included, ending in '\n'; escaped already, so
  // it holds no control character. A sink cannot fail the write: the file is the record.
  virtual void on_line(std::string_view line) noexcept = 0;
};

}  // namespace serentak::log
