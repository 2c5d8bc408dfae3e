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
                     fmt::format("Timeout per attempt, connect included: 500ms, 5s, 2m, or seconds (default {}s)", default_timeout))
      ->check(CLI::Range(0.001, 86400.0));
  command.add_option("--connect-timeout", options.connect_timeout_s, "Connect timeout: 500ms, 5s, or seconds (default: bounded by --timeout)")
      ->check(CLI::Range(0.001, 86400.0));
  command.add_option("--max-body", options.max_body_bytes,
                     "Largest response body kept: bytes, or with k, m, g: 64k, 8m (default 8m); larger is invalid_response")
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
  command.add_option("--rate", options.rate,
                     "At most R attempts per second over the whole run: R, R/s, R/m or R/h (default: unlimited)");
  command.add_option("--per-host", options.per_host,
                     "At most N attempts in flight per scheme://host:port (default: no cap)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
  command.add_option("--host-rate", options.host_rate,
                     "At most R attempts per second to each host: R, R/s, R/m or R/h (default: unlimited); "
                     "with --adaptive, the starting and highest rate");
  command.add_flag("--adaptive", options.adaptive,
                   "Per host, lower the rate on 429/503 (x0.9) and raise it on other answers (+1/s per "
                   "second); a Retry-After pauses the whole host");
  command.add_option("--log", options.log_path, fmt::format("Event log file, truncated at start (default {})", default_log));
  command.add_flag("--no-log", options.no_log, "Write no event log");
  command.add_option("-o,--out", options.out_path, "Results file, one record per item: FILE.jsonl, FILE.ndjson or FILE.csv; '-' streams JSONL to stdout (default: none)");
  command.add_option("--format", options.format, "Results format: jsonl or csv (default: from --out's extension)")
      ->check(CLI::IsMember({"jsonl", "csv"}));
  // A flag, so `--resume ITEM` never takes the item as its value; `--resume=missing` still can.
  command.add_flag("--resume{repair}", options.resume,
                     "Complete --out: fetch the items it has no record of or whose record is a transient failure "
                     "(timeout, connection error, 408, 429, 5xx), then keep one record per item; "
                     "--resume=missing fetches only the items without a record")
      ->check(CLI::IsMember({"repair", "missing"}));
  command.add_flag("--force", options.force, "With --resume: accept a results file made with another request spec");
  command.add_option("--lang", options.lang, fmt::format("Language of log messages: id or en (default {})", default_lang))
      ->check(CLI::IsMember({"id", "en"}));
  command.add_option("-c,--concurrency", options.concurrency,
                     "Requests in flight at once (default: one per item, at most 100)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
  command.add_option("--threads", options.threads, "Worker threads (default: CPU cores)")->check(CLI::Range(1u, 256u));
  command.add_flag("-v,--verbose", options.verbose, "Also print each log line to stderr");
  command.add_option("-X,--method", options.method, "HTTP method, a token (default GET; POST when a body is given)");
  command.add_option("-H,--header", options.headers,
                     "Request header 'Name: value'; repeatable; {} in the value is the item, as given")
      ->allow_extra_args(false);
  command.add_option("-d,--data", options.data, "Request body: the text itself or @FILE; {} is the item, as given (Content-Type "
                                                "application/x-www-form-urlencoded unless -H sets one)");
  command.add_option("--json", options.json,
                     "JSON request body; {} is the item, JSON-escaped; sets Content-Type and Accept to application/json")
      ->excludes("--data");
  command.add_option("-A,--user-agent", options.user_agent, "User-Agent header (default serentak/<version>; '' sends none)");
  command.add_option("-u,--user", options.user, "Basic authentication, USER:PASS");
  command.add_option("--header-file", options.header_files,
                     "File of request headers, 'Name: value' a line ('#' and blank lines skipped); repeatable")
      ->allow_extra_args(false);
  command.add_option("--bearer-env", options.bearer_env, "Send 'Authorization: Bearer $VAR' (VAR must be set and non-empty)");
  command
      .add_option("--header-env", options.header_env,
                  "Request header 'Name: VAR' whose value is $VAR (set and non-empty; a secret, never shown); "
                  "repeatable")
      ->allow_extra_args(false);
  command.add_flag("--netrc", options.netrc, "Credentials from ~/.netrc (libcurl; --transport auto then uses curl)");
  command.add_option("--redact-header", options.redact_headers,
                     "Another header whose value is a secret (never shown); repeatable, any case")
      ->allow_extra_args(false);
  command.add_flag("-q,--quiet", options.quiet, "No progress line and no failure report on stderr (both only ever on a terminal)");
  command.add_flag("--live", options.live,
                   "Full-screen live view on stderr (counts, rate, latency percentiles and histogram), "
                   "redrawn 5 times a second; when stderr is not a terminal, a note and the normal run");
  command.add_option("--summary", options.summary, "After the run, print a summary: none, text or json")
      ->check(CLI::IsMember({"none", "text", "json"}))
      ->capture_default_str();
  command.add_option("--every", options.every,
                     "Repeat the run every DURATION (at least 100ms: 500ms, 10s, 5m) on a fixed-rate schedule "
                     "until stopped; a round still running when the next is due skips that tick (default: run once)");
  command.add_option("--rounds", options.rounds, "With --every: stop after N rounds (default: until stopped)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000000000}));
  add_connection_options(command, options.connection);
  add_web_options(command, options.web);  // with --every only: run_client_command refuses it alone
}

}  // namespace serentak::cli
