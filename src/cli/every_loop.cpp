#include "cli/every_loop.hpp"

#include <condition_variable>
#include <mutex>
#include <stdexcept>

#include <fmt/format.h>

#include "cli/console.hpp"
#include "cli/exit_codes.hpp"
#include "core/duration_text.hpp"
#include "core/log_text.hpp"
#include "core/repeat_schedule.hpp"

namespace serentak::cli {
namespace {

using steady = std::chrono::steady_clock;

double seconds_of(steady::duration d) { return std::chrono::duration<double>(d).count(); }
double ms_of(steady::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// The log's lines about the schedule, in the run's language (the seed's log is Indonesian).
std::string round_started_line(themes::language lang, std::size_t round, steady::duration due, steady::duration lag) {
  if (lang == themes::language::id) {
    return fmt::format("Putaran {} dimulai (jadwal +{:.3f} dtk, terlambat {:.1f} ms)", round, seconds_of(due), ms_of(lag));
  }
  return fmt::format("Round {} started (due at +{:.3f} s, {:.1f} ms late)", round, seconds_of(due), ms_of(lag));
}

std::string skipped_line(themes::language lang, std::size_t round, std::uint64_t ticks) {
  if (lang == themes::language::id) {
    return fmt::format("Putaran {} melewati {} jadwal berikutnya: dilewati, tidak pernah tumpang tindih", round, ticks);
  }
  return fmt::format("Round {} ran past {} tick(s) of the schedule: skipped, never overlapped", round, ticks);
}

std::string end_line(themes::language lang, std::size_t rounds, std::uint64_t skipped) {
  if (lang == themes::language::id) return fmt::format("Selesai: {} putaran, {} jadwal dilewati", rounds, skipped);
  return fmt::format("Done: {} rounds, {} ticks skipped", rounds, skipped);
}

// Wakes the wait between rounds when a stop signal comes; the callback is removed before the
// mutex and condition it uses go away.
class stop_wait {
 public:
  explicit stop_wait(signal_watch& signals) : signals_(signals) {
    signals_.set_on_signal([this](int) {
      std::lock_guard lock(mutex_);
      woken_.notify_all();
    });
  }
  ~stop_wait() { signals_.set_on_signal({}); }
  stop_wait(const stop_wait&) = delete;
  stop_wait& operator=(const stop_wait&) = delete;

  // true when stopped before `due`.
  bool until(steady::time_point due) {
    std::unique_lock lock(mutex_);
    return woken_.wait_until(lock, due, [this] { return signals_.stop_flag().load(); });
  }

 private:
  signal_watch& signals_;
  std::mutex mutex_;  // pairs woken_ with the stop flag: a signal between check and sleep is not lost
  std::condition_variable woken_;
};

}  // namespace

every_options parse_every(std::string_view every, bool every_given, std::size_t rounds, bool rounds_given) {
  every_options parsed;
  if (!every_given) {
    if (rounds_given) throw std::invalid_argument("--rounds needs --every DURATION");
    return parsed;
  }
  parsed.interval_text = escape_for_log(every);
  auto duration = parse_duration(every);
  if (!duration) {
    throw std::invalid_argument("--every: '" + parsed.interval_text +
                                "' is not a duration (e.g. 500ms, 5s, 2m, 1h, or seconds: 2.5)");
  }
  if (*duration < min_every_interval) {
    throw std::invalid_argument("--every: '" + parsed.interval_text + "' is shorter than the minimum, 100ms");
  }
  if (*duration > max_every_interval) {
    throw std::invalid_argument("--every: '" + parsed.interval_text + "' is longer than the maximum, 168h");
  }
  parsed.interval = std::chrono::duration_cast<std::chrono::nanoseconds>(*duration);
  parsed.rounds = rounds;
  return parsed;
}

int run_every(client::theme_session& session, const every_options& every, signal_watch& signals,
              std::string_view command, themes::language lang, const round_reporter& report) {
  stop_wait wait(signals);
  const std::atomic<bool>& stop = signals.stop_flag();
  repeat_schedule schedule{steady::now(), every.interval};
  std::uint64_t tick = 0;     // the tick the current round started on
  std::uint64_t skipped = 0;  // ticks skipped so far
  std::size_t round = 0;
  bool in_streak = false;  // the last round already ran past a tick (said once per streak)
  bool any_failed = false;
  bool output_failed = false;
  for (;;) {
    ++round;
    steady::time_point begun = steady::now();
    session.note(round_started_line(lang, round, schedule.due(tick) - schedule.start, begun - schedule.due(tick)));
    client::theme_run_result result = session.run_round(round);
    steady::time_point ended = steady::now();
    bool last = stop.load() || (every.rounds > 0 && round >= every.rounds);
    std::uint64_t next = schedule.next_tick(tick, ended);
    std::uint64_t ran_past = last ? 0 : next - tick - 1;
    skipped += ran_past;
    if (ran_past > 0) session.note(skipped_line(lang, round, ran_past));
    int status = report(result, round, skipped);
    if (status == exit_io_error) {
      output_failed = true;
      break;
    }
    any_failed = any_failed || status == exit_items_failed;
    if (last) break;
    if (ran_past > 0 && !in_streak) {
      console::err("serentak {}: round {} took {:.2f} s, longer than --every {}: the ticks it ran past are "
                   "skipped, never overlapped (counted in the summary)\n",
                   command, round, seconds_of(ended - begun), every.interval_text);
    }
    in_streak = ran_past > 0;
    tick = next;
    if (wait.until(schedule.due(tick))) break;
  }
  if (!session.note(end_line(lang, round, skipped))) output_failed = true;  // the log's last line is a record too
  console::err("serentak {}: {} rounds every {}, {} ticks skipped\n", command, round, every.interval_text, skipped);
  if (output_failed) return exit_io_error;
  if (int status = signals.interrupted_exit_status(); status != 0) return status;
  return any_failed ? exit_items_failed : exit_ok;
}

}  // namespace serentak::cli
