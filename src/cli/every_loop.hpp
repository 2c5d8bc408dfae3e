#pragma once
// --every DURATION on the client commands: the run repeated on a fixed-rate schedule
// (core/repeat_schedule.hpp) until a stop signal or --rounds N, one theme_session keeping the log
// and the results file open across rounds. A round still running when the next tick is due is
// never overlapped: the tick is skipped, counted, logged, and said on stderr once per streak.
// Runs on main's thread; the signal watch only wakes it.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "cli/signal_watch.hpp"
#include "client/theme_run.hpp"
#include "themes/theme.hpp"

namespace serentak::cli {

struct every_options {
  std::chrono::nanoseconds interval{0};
  std::string interval_text;  // as given, for messages (escaped)
  std::size_t rounds = 0;     // --rounds; 0: until stopped
};

// Reads --every and --rounds as given (every empty and not given: nullopt-like interval 0);
// throws std::invalid_argument with the one-line reason (below 100ms, not a duration, too long).
every_options parse_every(std::string_view every, bool every_given, std::size_t rounds, bool rounds_given);

// What a round's end prints (closing lines, summary with the round and the ticks skipped so far);
// returns the round's status: exit_ok, exit_items_failed or exit_io_error (which ends the loop).
using round_reporter = std::function<int(const client::theme_run_result& result, std::size_t round,
                                         std::uint64_t skipped_ticks)>;

// Runs rounds until stopped; returns the exit status: 3 when an output failed, else the signal's
// (129, 130, 143), else 1 when an item of any round did not end ok, else 0.
int run_every(client::theme_session& session, const every_options& every, signal_watch& signals,
              std::string_view command, themes::language lang, const round_reporter& report);

}  // namespace serentak::cli
