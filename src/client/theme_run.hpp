#pragma once
// One theme command run end to end, as the seed's client.py main does it: open the log, log the
// start, fetch every item concurrently through the engine, log the end. Shared by the five
// theme commands and `serentak demo`. Blocks the calling thread; uses the engine's threads.

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "core/run_summary.hpp"
#include "themes/theme.hpp"

namespace serentak::client {

struct theme_run_config {
  const themes::theme* theme = nullptr;
  std::vector<std::string> items;              // empty: the theme's default items
  std::string base_url = "http://127.0.0.1:5000";  // scheme://host:port, joined with the theme's route
  std::chrono::milliseconds timeout{0};        // per request; 0: the theme's (5 s, health 2.5 s)
  std::filesystem::path log_path;              // empty: the theme's seed log file name, in the cwd
  themes::language lang = themes::language::id;
  std::size_t concurrency = 0;                 // 0: one transfer per item, at most 100
  unsigned threads = 0;                        // engine workers; 0: cores
  bool echo_log = false;                       // also print log lines to stderr
  bool keep_outcomes = false;                  // fill theme_run_result::outcomes (demo)
  const std::atomic<bool>* stop = nullptr;     // set by a signal: finish early
};

struct theme_run_result {
  run_summary summary;
  std::vector<std::string> items;         // what was fetched (defaults resolved)
  std::vector<std::string> urls;          // the request URL of each item
  std::vector<outcome> outcomes;          // by item index, when keep_outcomes
  std::filesystem::path log_path;
  int log_error = 0;                      // errno of the first failed log write, 0 if none
  std::chrono::steady_clock::duration wall{};
};

// Checks the configuration and every item's URL before anything is sent; returns the URLs.
// Throws std::invalid_argument with a one-line message for the user (bad base URL, bad item).
std::vector<std::string> resolve_urls(const theme_run_config& config, const std::vector<std::string>& items);

// Throws std::invalid_argument (bad input) or std::system_error (log file cannot be opened);
// after the first request is sent it never throws.
theme_run_result run_theme(const theme_run_config& config);

}  // namespace serentak::client
