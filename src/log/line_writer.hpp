#pragma once
// Hands one complete line to the kernel with as few write(2) calls as the kernel allows
// (one, unless the device is full or a signal interrupts it). Retries EINTR and short writes.

#include <string_view>

namespace serentak::log {

// Returns 0 when every byte was written, otherwise the errno that stopped it.
int write_fully(int fd, std::string_view bytes) noexcept;

}  // namespace serentak::log
