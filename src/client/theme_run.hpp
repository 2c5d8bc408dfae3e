#pragma once
// One client run end to end, as the seed's client.py main does it: validate every input, open the
// log, log the start, fetch every item concurrently through the engine, log the end. Shared by the
// five theme commands, `serentak fetch` and `serentak demo`. Blocks the calling thread; the work
// happens on the engine's threads.

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/engine/fetch_types.hpp"
#include "client/outputs/failure_digest.hpp"
#include "client/outputs/item_sink.hpp"
#include "client/transport/transport_choice.hpp"
#include "core/host_budget.hpp"
#include "core/item_lines.hpp"
#include "core/request_shape.hpp"
#include "core/retry_policy.hpp"
#include "core/result_record.hpp"
#include "core/run_summary.hpp"
#include "themes/theme.hpp"

namespace serentak::client {

struct theme_run_config {
  const themes::theme* theme = nullptr;            // the voice (and, unless url_pattern is set, the route)
  std::vector<std::string> items;                  // command-line items; "-" is stdin. None and no
                                                   // input_files: the theme's default items
  std::vector<std::string> input_files;            // --input FILE, read after the items; "-" is stdin
  std::string base_url = "http://127.0.0.1:5000";  // scheme://host:port, joined with the route; "":
                                                   // none (fetch), so a path item is refused
  std::string url_pattern;                         // non-empty: replaces the theme's; "{}" is the item
  bool items_are_urls = false;                     // each item is a whole URL (the health story, --urls)
  bool dedupe = false;                             // drop repeated items (item_set: 8-byte slots, at most 3/4 full)
  std::size_t max_line_bytes = item_line_parser::default_max_line_bytes;
  std::chrono::milliseconds timeout{0};            // per attempt; 0: the theme's (5 s, health 2.5 s)
  std::chrono::milliseconds connect_timeout{0};    // 0: bounded by timeout only
  std::size_t max_body_bytes = 8 * 1024 * 1024;    // decoded response bytes kept per item
  bool follow_redirects = false;                   // at most 5, http/https only
  request_spec request;                            // method, headers, body; default: a plain GET
  transport_choice transport = transport_choice::automatic;  // which HTTP client carries requests
  connection_options connection;                   // TLS, proxy, HTTP version (curl only)
  retry_policy retry;                              // max_retries 0: no retries
  std::optional<double> rate_per_second;           // attempts per second over the run; nullopt: unlimited
  host_limits hosts;                               // --per-host, --host-rate, --adaptive
  bool log_enabled = true;
  std::filesystem::path log_path;                  // empty: the theme's seed log file name, in the cwd
  std::filesystem::path out_path;                  // empty: no results file
  result_format out_format = result_format::jsonl;
  bool resume = false;                             // skip items out_path already has a final record for
  bool resume_missing_only = false;                // --resume=missing: skip any recorded item, even a transient failure
  bool force = false;                              // --force: resume a file made with another request spec
  bool repeating = false;                          // --every: records carry their round (CSV: a round column)
  themes::language lang = themes::language::id;
  std::size_t concurrency = 0;                     // 0: one transfer per item, at most 100
  unsigned threads = 0;                            // engine workers; 0: cores
  bool echo_log = false;                           // also print log lines to stderr
  bool progress = false;                           // draw a progress line on stderr
  bool live = false;                               // with progress: the full-screen view (--live) instead
  bool keep_outcomes = false;                      // fill theme_run_result::outcomes (demo)
  std::size_t failures_kept = 10;                  // failed items theme_run_result::failures keeps whole
  const std::atomic<bool>* stop = nullptr;         // set by a signal: finish early
  item_sink* items_seen = nullptr;                 // --web: told of every finished item; outlives the run
};

struct theme_run_result {
  run_summary summary;
  std::size_t total_items = 0;            // items in the input (after --dedupe)
  std::size_t skipped_done = 0;           // items --resume found already recorded
  std::size_t refetched = 0;              // items --resume fetched again (transient failure recorded)
  std::size_t resumed_records = 0;        // distinct items the results file held at the start
  std::size_t damaged_records = 0;        // lines of it that were not a whole record (fetched again)
  std::optional<run_summary> whole_file;  // --resume: every record the results file holds at the end
  std::vector<std::string> input_notes;   // for stderr: an input grew or changed after it was checked
  std::size_t unread_items = 0;           // checked items an input no longer held when read (it shrank)
  std::string compaction_error;           // --resume: why the file could not be compacted, if it could not
  std::size_t skipped_duplicates = 0;     // items --dedupe dropped
  std::vector<std::string> items;         // the command-line or default items (not streamed ones)
  std::vector<outcome> outcomes;          // by item index, when keep_outcomes
  failure_digest failures;                // the first failures and per-host connect failures
  std::filesystem::path log_path;
  int log_error = 0;                      // errno of the first failed log write, 0 if none
  int results_error = 0;                  // errno of the first failed results write, 0 if none
  std::string engine_error;               // the engine's own first failure, if any
  std::chrono::steady_clock::duration wall{};
};

// Throws std::invalid_argument (bad option or input: a one-line message naming the item, file and
// line), std::system_error (log or results file cannot be opened) or input_interrupted (stop was
// set while reading standard input), always before anything is sent; after that it never throws.
theme_run_result run_theme(const theme_run_config& config);

// A run whose outputs stay open across rounds (--every). The constructor does all that run_theme
// does before the first request (checks every input, opens, locks and starts the log and the
// results file, once) and throws as run_theme does; run_round() then fetches every item once, as
// a single run does, appending to the same log and results file, and never throws. run_theme is
// one session of one round 0. Inputs are read again from their start each round (only the bytes
// that were checked). With --resume, one round only. Used by one thread.
class theme_session {
 public:
  explicit theme_session(const theme_run_config& config);
  ~theme_session();
  theme_session(const theme_session&) = delete;
  theme_session& operator=(const theme_session&) = delete;

  // round 0: a single run, whose records carry no round; from 1 with config.repeating.
  theme_run_result run_round(std::size_t round);
  // One MainClient line in the log (round markers); false if it could not be written.
  bool note(std::string_view message);

 private:
  struct state;
  std::unique_ptr<state> state_;
};

}  // namespace serentak::client
