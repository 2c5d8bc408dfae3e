#pragma once
// Hands one complete line to the kernel with as few write(2) calls as the kernel allows
// (one, unless the device is full or a signal interrupts it). Retries EINTR and short writes.

#include <chrono>
#include <string_view>

namespace serentak::log {

// Returns 0 when every byte was written, otherwise the errno that stopped it.
int write_fully(int fd, std::string_view bytes) noexcept;

// Like write_fully, but gives up (ETIMEDOUT) when the descriptor has no room for `patience`: for
// a last line to a reader that may have stopped reading. Writes at most PIPE_BUF bytes at a time
// after poll() saw room, so on a pipe it never waits inside write(2).
int write_within(int fd, std::string_view bytes, std::chrono::milliseconds patience) noexcept;

}  // namespace serentak::log
