#pragma once
// Speaks a theme's voice into the event log for every item ("Worker-<index>" lines, in the
// seed's order: started, request sent, outcome, request done, finished), appends the item's one
// record to the results file, counts it for the progress line, and tallies the run.
//
// Output is gathered per worker thread and written at the end of each turn of its loop
// (on_turn_end): one write(2) for the turn's log lines and one for its records, and only then are
// its items counted (progress, tallies), so an item counts as done once its record is written.
//
// Thread safety: on_start/on_finish/on_turn_end are called concurrently by the engine's workers;
// each thread's gathered output is its own (thread_local, tagged with its observer). The log and
// the results file lock themselves; the tallies are guarded by tally_mutex_. summary() and
// outcomes() are read after run_engine() has returned.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "client/engine/engine.hpp"
#include "client/engine/response_judge.hpp"
#include "client/outputs/failure_digest.hpp"
#include "client/outputs/item_sink.hpp"
#include "client/outputs/progress_line.hpp"
#include "client/outputs/results_file.hpp"
#include "core/message_template.hpp"
#include "core/run_summary.hpp"
#include "log/event_log.hpp"
#include "themes/theme.hpp"

namespace serentak::client {

class theme_observer final : public fetch_observer {
 public:
  // keep_outcomes: remember each item's final outcome by index (expected_items slots reserved).
  theme_observer(const themes::theme& theme, themes::language lang, log::event_log& log,
                 std::chrono::milliseconds timeout, bool keep_outcomes, std::size_t expected_items);

  // Optional sinks, attached before the run starts; each is thread-safe on its own.
  void attach_results(results_file* results) noexcept { results_ = results; }
  void attach_progress(progress_line* progress) noexcept { progress_ = progress; }
  // Items cancelled because this flag was set get no results record, so --resume fetches them again.
  void attach_stop(const std::atomic<bool>* stop) noexcept { stop_ = stop; }
  // Each finished item's outcome, message line and parsed body (the --web dashboard); bodies are
  // then parsed into a document even when no message reads a field of them.
  void attach_item_sink(item_sink* sink) noexcept { item_sink_ = sink; }
  // The items are secrets (they fill a secret header: -H 'Authorization: Bearer {}'): shown as
  // "***" in every line and record, and masked wherever they appear in the URL.
  void hide_items(bool hide) noexcept { hide_items_ = hide; }
  // --every: the round (from 1) every record of this run carries; 0 (a single run): none.
  void set_round(std::size_t round) noexcept { round_ = round; }
  // How many failed items failure_digest() keeps in full (the rest are counted); before the run.
  void keep_failures(std::size_t keep) { failures_ = failure_digest(keep); }

  // Writes what this thread gathered for it (a caller outside an engine worker).
  ~theme_observer() override;

  void on_start(const fetch_request& request) override;
  void on_retry(const fetch_request& request, const fetch_result& failed_attempt,
                std::chrono::milliseconds wait) override;
  void on_finish(const fetch_request& request, const fetch_result& result) override;
  void on_turn_end() noexcept override;

  run_summary summary() const;
  std::vector<outcome> outcomes() const;  // by item index; unexpected where an item never finished
  failure_digest failures() const;        // for the report on a terminal after the run

  // The message this theme logs for a result; exposed for tests of every theme and language.
  std::string render_outcome(const fetch_request& request, const fetch_result& result) const;

 private:
  struct pending;  // one thread's output not yet written (theme_observer.cpp)
  // Per thread: the engine's workers never share one; its buffers keep their capacity across turns.
  static thread_local pending pending_output_;
  pending& own_pending();
  void write_pending(pending& p) noexcept;

  std::string render_judged(const fetch_request& request, const fetch_result& result,
                            const judged_response& judged) const;
  template_context item_context(const fetch_request& request, unsigned needs) const;
  // Adds a line to p's batch; "" tmpl: none.
  static void add_line(pending& p, std::string_view name, std::string_view tmpl, const template_context& context);
  template_context outcome_context(const fetch_request& request, const fetch_result& result,
                                   const judged_response& judged, unsigned needs) const;

  const themes::theme& theme_;
  const themes::messages& voice_;
  themes::language lang_;
  log::event_log& log_;
  std::string timeout_text_;  // "5", "2.5": seconds as Python prints them
  bool keep_outcomes_;
  bool reads_data_;  // some message reads {data.*}: bodies are parsed into a document, not only validated
  // Which optional context values (theme_observer.cpp's context_need bits) the messages name: per
  // outcome message, the start lines, the lines after the outcome. Found once per run.
  std::array<unsigned, 7> outcome_needs_{};
  unsigned start_needs_ = 0;
  unsigned finish_needs_ = 0;
  const std::uint64_t id_;  // tags this observer's gathered output (an address may be reused)
  results_file* results_ = nullptr;
  progress_line* progress_ = nullptr;
  const std::atomic<bool>* stop_ = nullptr;
  item_sink* item_sink_ = nullptr;
  bool hide_items_ = false;
  std::size_t round_ = 0;  // set before the run starts, read only after

  mutable std::mutex tally_mutex_;  // guards summary_, outcomes_ and failures_
  run_summary summary_;
  std::vector<outcome> outcomes_;
  failure_digest failures_;
};

std::string worker_name(std::size_t index);

}  // namespace serentak::client
