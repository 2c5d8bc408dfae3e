#pragma once
// serentak's exit statuses, documented in docs/cli.md. Scripts and CI rely on them.

namespace serentak::cli {

inline constexpr int exit_ok = 0;            // every item ok (serve, demo: clean stop / seed expectations met)
inline constexpr int exit_items_failed = 1;  // the run completed, some items did not end ok
inline constexpr int exit_usage = 2;         // bad option, bad input, unwritable output: nothing was sent
inline constexpr int exit_io_error = 3;      // the log or results could not be written during the run
inline constexpr int exit_not_found = 4;     // monitor history: no such endpoint in the database
inline constexpr int exit_sighup = 129;      // stopped by SIGHUP (128 + 1): the terminal or session went away
inline constexpr int exit_sigint = 130;      // interrupted by SIGINT (128 + 2)
inline constexpr int exit_sigterm = 143;     // stopped by SIGTERM (128 + 15)

}  // namespace serentak::cli
