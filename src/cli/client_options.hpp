#pragma once
// The options every client command shares (the five themes and `fetch`), and the CLI11 wiring
// that fills them. CLI code only fills this struct; run_client_command() only reads it.

#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace serentak::cli {

struct client_options {
  std::vector<std::string> items;              // positional; "-" is stdin; none: the theme's seed items
  std::vector<std::string> input_files;        // --input FILE, repeatable, read after the items
  bool dedupe = false;                         // drop repeated items
  std::string base_url = "http://127.0.0.1:5000";
  std::string url_template;                    // fetch --url: "{}" is the encoded item
  bool items_are_urls = false;                 // fetch --urls: each item is a whole URL
  double timeout_s = 0;                        // per attempt, seconds; 0: the command's default
  double connect_timeout_s = 0;                // seconds; 0: bounded by --timeout only
  std::uint64_t max_body_bytes = 8 * 1024 * 1024;  // decoded response bytes kept per item
  bool follow = false;                         // follow up to 5 http/https redirects
  std::string transport = "auto";              // auto | curl | native: which HTTP client carries requests
  int retries = 0;                             // extra attempts for transient failures, 0..100
  std::string rate;                            // "R", "R/s" or "R/m"; empty: unlimited
  std::string log_path;                        // empty: the command's log file name
  bool no_log = false;                         // write no event log
  std::string out_path;                        // results file, .jsonl or .csv
  std::string format;                          // jsonl | csv; empty: from --out's extension
  bool resume = false;                         // skip items --out already has
  std::string lang;                            // id | en; empty: the command's default
  std::size_t concurrency = 0;                 // transfers in flight; 0: one per item, at most 100
  unsigned threads = 0;                        // engine worker threads; 0: cores
  bool verbose = false;                        // echo log lines to stderr
  bool quiet = false;                          // no progress line
  bool live = false;                           // full-screen live view on a terminal (overrides quiet)
  std::string summary = "none";                // none | text | json, printed after the closing lines
                                               // (fetch: text; the seed commands keep the seed's output)
};

void add_client_options(CLI::App& command, client_options& options, std::string_view default_timeout,
                        std::string_view default_log, std::string_view default_lang);

}  // namespace serentak::cli
