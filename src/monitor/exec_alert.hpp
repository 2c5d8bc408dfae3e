#pragma once
// Runs an exec alert: the command's argv started with posix_spawnp (no shell; a name without a
// slash is looked up in PATH), the alert JSON written to its stdin through a pipe that is then
// closed, its stdout and stderr sent to /dev/null. At `timeout` (counted from the start, writing
// stdin included) or when cancelled() says stop, it is killed with SIGKILL by its PID only (never a
// process group: children it started itself are its own business), and it is always reaped.
// Blocks the calling thread; any thread may call it. SIGPIPE from a command that does not read its
// stdin is blocked on the calling thread while writing and consumed, so it never reaches the process.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "monitor/alert_attempt.hpp"

namespace serentak::monitor {

// Exit status 0: ok. Anything else is a failure, never retryable (see alert_sender.hpp): a
// nonzero exit, death by a signal, the timeout, or a program that cannot be started ("cannot start
// /x/y: No such file or directory").
attempt_result run_exec_alert(const std::vector<std::string>& argv, std::string_view input,
                              std::chrono::milliseconds timeout, const cancel_check& cancelled);

}  // namespace serentak::monitor
