#pragma once
// Open-file limits: 10,000 transfers in flight need 10,000 sockets. raise_fd_limit() lifts the
// soft RLIMIT_NOFILE to the hard limit at start (as wrk and nginx do), fitting_concurrency()
// says how many transfers that leaves room for, and reserve_descriptor_table() sizes the
// process's descriptor table for them before any thread starts.

#include <cstddef>

namespace serentak::cli {

// Raises the soft limit to the hard one; returns the soft limit now in force.
std::size_t raise_fd_limit() noexcept;

// The largest concurrency that fits under fd_limit, keeping room for the process's other files
// (log, results, inputs, curl's internal descriptors, stdio).
std::size_t fitting_concurrency(std::size_t wanted, std::size_t fd_limit) noexcept;

// Descriptors to reserve for `connections` sockets plus the process's other files.
std::size_t descriptors_for(std::size_t connections) noexcept;

// Grows the descriptor table now to hold `descriptors` (at most the soft limit), so that
// opening the 10,000th socket later does not grow it. The kernel grows the table by doubling,
// and in a process with more than one thread each growth waits for an RCU grace period with
// the opening thread stalled (expand_fdtable): from 64 slots to 16,384 that is 8 waits, seen
// at up to a second under load. Call it before starting threads: then it waits for none.
// Best effort: when it cannot, the table grows as before.
void reserve_descriptor_table(std::size_t descriptors) noexcept;

}  // namespace serentak::cli
