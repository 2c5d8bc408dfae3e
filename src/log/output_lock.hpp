#pragma once
// One run per output file: the results file and the event log are locked for the whole run, so a
// second serentak pointed at either is refused (exit 2) instead of interleaving, losing or doubling
// records. The lock is flock(LOCK_EX | LOCK_NB): it belongs to the open file description, so it
// holds until the descriptor is closed (or the process dies, SIGKILL included) and no other
// descriptor of ours can drop it. flock cannot say who holds it, so the holder also takes a
// classic POSIX write lock (fcntl F_SETLK) on one byte far past any data (offset 2^62); a refused
// run asks F_GETLK about that byte, whose l_pid names the holder. That second lock is only a name
// tag: POSIX locks vanish when the process closes any descriptor of the file, so exclusion never
// rests on it, and a refusal whose tag is gone says "another process" without a pid.
// Only regular files are locked: /dev/null, a FIFO or a terminal is no record to protect.
// Pure system calls on a caller-owned descriptor; thread-compatible.

#include <filesystem>
#include <string_view>

namespace serentak::log {

// Locks fd (open for writing on path). Returns normally when fd is not a regular file or the lock
// was taken. Throws std::invalid_argument "<what> '<path>' is in use by another serentak run (pid N)"
// when another open file holds it, std::system_error for any other failure.
void lock_output(int fd, const std::filesystem::path& path, std::string_view what);

// Whether path now names the file fd is open on (a run that renamed a new file over it, or a log
// rotation that moved it away, while we waited for the lock leaves fd on another file: reopen and
// lock again).
bool still_named(int fd, const std::filesystem::path& path) noexcept;

// lock_output, for a file whose path another run may rename a new file over while we wait for the
// lock (a compacting `fetch --resume`, the event log's rotation): then fd is a file no longer at the
// path, so the path is opened again with open_flags (| O_CREAT, mode 0644) and that is locked
// instead, five tries at most, after which the last one is kept. fd is the caller's throughout: a
// new descriptor replaces it (the old one closed), and on a throw it holds whichever is open. Throws
// as lock_output does, and std::system_error "cannot open <what> '<path>'" when the path cannot be
// opened again.
void lock_output_at_path(int& fd, const std::filesystem::path& path, int open_flags, std::string_view what);

}  // namespace serentak::log
