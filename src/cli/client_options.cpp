#include "cli/client_options.hpp"

#include <fmt/format.h>

namespace serentak::cli {

void add_client_options(CLI::App& command, client_options& options, std::string_view default_timeout,
                        std::string_view default_log, std::string_view default_lang) {
  command.add_option("items", options.items, "Items to fetch; '-' reads standard input (default: the seed's list)");
  command.add_option("-i,--input", options.input_files,
                     "File of items, one per line ('#' comments, blank lines skipped); repeatable; '-' is stdin");
  command.add_flag("--dedupe", options.dedupe, "Fetch each distinct item once");
  command.add_option("--base", options.base_url, "Base URL of the API, http or https")->capture_default_str();
  command.add_option("--timeout", options.timeout_s,
                     fmt::format("Timeout per attempt, seconds, connect included (default {})", default_timeout))
      ->check(CLI::Range(0.001, 86400.0));
  command.add_option("--connect-timeout", options.connect_timeout_s, "Connect timeout, seconds (default: --timeout)")
      ->check(CLI::Range(0.001, 86400.0));
  command.add_option("--max-body", options.max_body_bytes,
                     "Largest response body kept, bytes; suffixes k, m, g (default 8m); larger is invalid_response")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 34));
  command.add_flag("--follow", options.follow, "Follow redirects (at most 5, http and https only)");
  command.add_option("--transport", options.transport,
                     "HTTP client: auto (native HTTP/1.1 for plain http:// to a numeric address, else libcurl), "
                     "curl, or native")
      ->check(CLI::IsMember({"auto", "curl", "native"}))
      ->capture_default_str();
  command.add_option("--retries", options.retries,
                     "Extra attempts after a timeout, connection error or HTTP 408/429/500/502/503/504, with "
                     "exponential backoff and full jitter, honouring Retry-After (default 0)")
      ->check(CLI::Range(0, 100));
  command.add_option("--rate", options.rate, "At most R attempts per second over the whole run: R, R/s or R/m (default: unlimited)");
  command.add_option("--log", options.log_path, fmt::format("Event log file, truncated at start (default {})", default_log));
  command.add_flag("--no-log", options.no_log, "Write no event log");
  command.add_option("-o,--out", options.out_path, "Results file, one record per item: FILE.jsonl or FILE.csv");
  command.add_option("--format", options.format, "Results format: jsonl or csv (default: from --out's extension)")
      ->check(CLI::IsMember({"jsonl", "csv"}));
  command.add_flag("--resume", options.resume, "Skip items --out already has a record for; append the rest");
  command.add_option("--lang", options.lang, fmt::format("Language of log messages: id or en (default {})", default_lang))
      ->check(CLI::IsMember({"id", "en"}));
  command.add_option("-c,--concurrency", options.concurrency,
                     "Requests in flight at once (default: one per item, at most 100)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
  command.add_option("--threads", options.threads, "Worker threads (default: CPU cores)")->check(CLI::Range(1u, 256u));
  command.add_flag("-v,--verbose", options.verbose, "Also print each log line to stderr");
  command.add_flag("-q,--quiet", options.quiet, "No progress line on stderr");
  command.add_flag("--live", options.live,
                   "Full-screen live view on stderr (counts, rate, latency percentiles and histogram), "
                   "redrawn 5 times a second; when stderr is not a terminal, a note and the normal run");
  command.add_option("--summary", options.summary, "After the run, print a summary: none, text or json")
      ->check(CLI::IsMember({"none", "text", "json"}))
      ->capture_default_str();
}

}  // namespace serentak::cli
