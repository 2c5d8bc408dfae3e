#pragma once
// Open-file limits: 10,000 transfers in flight need 10,000 sockets. raise_fd_limit() lifts the
// soft RLIMIT_NOFILE to the hard limit at start (as wrk and nginx do), and fitting_concurrency()
// says how many transfers that leaves room for.

#include <cstddef>

namespace serentak::cli {

// Raises the soft limit to the hard one; returns the soft limit now in force.
std::size_t raise_fd_limit() noexcept;

// The largest concurrency that fits under fd_limit, keeping room for the process's other files
// (log, results, inputs, curl's internal descriptors, stdio).
std::size_t fitting_concurrency(std::size_t wanted, std::size_t fd_limit) noexcept;

}  // namespace serentak::cli
