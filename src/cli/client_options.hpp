#pragma once
// The options every client command shares (the five themes now; `fetch` later), and the
// CLI11 wiring that fills them. CLI code only fills this struct; run code only reads it.

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace serentak::cli {

struct client_options {
  std::vector<std::string> items;              // positional; empty: the theme's seed items
  std::string base_url = "http://127.0.0.1:5000";
  double timeout_s = 0;                        // per request, seconds; 0: the theme's default
  std::string log_path;                        // empty: the seed's log file name
  std::string lang = "id";                     // id | en
  std::size_t concurrency = 0;                 // transfers in flight; 0: one per item, at most 100
  unsigned threads = 0;                        // engine worker threads; 0: cores
  bool verbose = false;                        // echo log lines to stderr
  std::string summary = "none";                // none | text | json, printed after the closing lines
};

void add_client_options(CLI::App& command, client_options& options, std::string_view default_timeout,
                        std::string_view default_log);

}  // namespace serentak::cli
