#include "cli/client_options.hpp"

#include <fmt/format.h>

namespace serentak::cli {

void add_client_options(CLI::App& command, client_options& options, std::string_view default_timeout,
                        std::string_view default_log) {
  command.add_option("items", options.items, "Items to fetch (default: the seed's list)");
  command.add_option("--base", options.base_url, "Base URL of the API, http or https")
      ->capture_default_str();
  command.add_option("--timeout", options.timeout_s, fmt::format("Timeout per request, seconds (default {})", default_timeout))
      ->check(CLI::Range(0.001, 86400.0));
  command.add_option("--log", options.log_path, fmt::format("Event log file, truncated at start (default {})", default_log));
  command.add_option("--lang", options.lang, "Language of log messages: id (Bahasa Indonesia) or en")
      ->check(CLI::IsMember({"id", "en"}))
      ->capture_default_str();
  command.add_option("-c,--concurrency", options.concurrency,
                     "Requests in flight at once (default: one per item, at most 100)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
  command.add_option("--threads", options.threads, "Worker threads (default: CPU cores)")
      ->check(CLI::Range(1u, 256u));
  command.add_flag("-v,--verbose", options.verbose, "Also print each log line to stderr");
  command.add_option("--summary", options.summary, "After the run, print a summary: none, text or json")
      ->check(CLI::IsMember({"none", "text", "json"}))
      ->capture_default_str();
}

}  // namespace serentak::cli
