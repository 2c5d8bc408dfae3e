#pragma once
// The options every client command shares (the five themes and `fetch`), and the CLI11 wiring
// that fills them. CLI code only fills this struct; run_client_command() only reads it.

#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/connection_flags.hpp"
#include "cli/web_choice.hpp"

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
  std::string rate;                            // "R", "R/s", "R/m" or "R/h"; empty: unlimited
  std::size_t per_host = 0;                    // attempts in flight per scheme://host:port; 0: no cap
  std::string host_rate;                       // per host: "R", "R/s", "R/m" or "R/h"; empty: unlimited
  bool adaptive = false;                       // AIMD per host on 429/503; Retry-After pauses the host
  std::string log_path;                        // empty: the command's log file name
  bool no_log = false;                         // write no event log
  std::string out_path;                        // results file, .jsonl or .csv
  std::string format;                          // jsonl | csv; empty: from --out's extension
  std::string resume;                          // "": no resume; repair (--resume) | missing (--resume=missing)
  bool force = false;                          // --resume a file made with another request spec
  std::string lang;                            // id | en; empty: the command's default
  std::size_t concurrency = 0;                 // transfers in flight; 0: one per item, at most 100
  unsigned threads = 0;                        // engine worker threads; 0: cores
  bool verbose = false;                        // echo log lines to stderr
  bool quiet = false;                          // no progress line
  // The request (docs/cli.md "Request"): read by cli/request_options into a request_spec.
  std::string method;                          // -X; empty: GET, or POST with a body
  std::vector<std::string> headers;            // -H 'Name: value', repeatable; "{}" is the item
  std::string data;                            // -d TEXT or @FILE (given: count("--data"))
  std::string json;                            // --json TEMPLATE (given: count("--json"))
  std::string user_agent;                      // -A (given: count("--user-agent"))
  std::string user;                            // -u USER:PASS, basic auth
  std::vector<std::string> header_files;       // --header-file FILE, one header a line
  std::string bearer_env;                      // --bearer-env VAR
  std::vector<std::string> header_env;         // --header-env 'Name: VAR', repeatable
  bool netrc = false;                          // --netrc
  std::vector<std::string> redact_headers;     // --redact-header NAME
  bool live = false;                           // full-screen live view on a terminal (overrides quiet)
  std::string summary = "none";                // none | text | json, printed after the closing lines
                                               // (fetch: text; the seed commands keep the seed's output)
  std::string every;                           // --every DURATION: repeat on a fixed-rate schedule; empty: once
  std::size_t rounds = 0;                      // --rounds N with --every: stop after N rounds; 0: until stopped
  web_flags web;                               // --web ADDR, --web-token, --web-token-env: with --every only
  connection_flags connection;                 // --cacert, --capath, -k, --cert, --key, --proxy, --noproxy,
                                               // --http2, --http1.1 (connection_flags.hpp)
};

void add_client_options(CLI::App& command, client_options& options, std::string_view default_timeout,
                        std::string_view default_log, std::string_view default_lang);

}  // namespace serentak::cli
