#include "cli/client_command.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <system_error>

#include <unistd.h>

#include <fmt/format.h>

#include "cli/exit_codes.hpp"
#include "cli/fd_limit.hpp"
#include "cli/signal_watch.hpp"
#include "client/inputs/item_inputs.hpp"
#include "client/theme_run.hpp"
#include "core/log_text.hpp"
#include "core/token_bucket.hpp"

namespace serentak::cli {
namespace {

std::string seconds_text(std::chrono::milliseconds ms) { return fmt::format("{}", static_cast<double>(ms.count()) / 1000.0); }

std::chrono::milliseconds to_ms(double seconds) { return std::chrono::milliseconds(static_cast<long long>(seconds * 1000)); }

// Fills the run from the options; throws std::invalid_argument for combinations that make no sense.
client::theme_run_config make_config(const client_command& command, themes::language lang) {
  const client_options& options = command.options;
  // CLI::Range lets NaN through (every comparison with NaN is false), and NaN seconds cast to
  // milliseconds is undefined behaviour.
  if (std::isnan(options.timeout_s)) throw std::invalid_argument("--timeout: nan is not a number of seconds");
  if (std::isnan(options.connect_timeout_s)) throw std::invalid_argument("--connect-timeout: nan is not a number of seconds");
  client::theme_run_config config;
  config.theme = command.theme;
  config.items = options.items;
  config.input_files = options.input_files;
  config.dedupe = options.dedupe;
  config.base_url = options.base_url;
  config.url_pattern = options.url_template;
  config.items_are_urls = options.items_are_urls;
  config.timeout = to_ms(options.timeout_s);
  config.connect_timeout = to_ms(options.connect_timeout_s);
  config.max_body_bytes = options.max_body_bytes;
  config.follow_redirects = options.follow;
  config.transport = client::parse_transport_choice(options.transport).value_or(client::transport_choice::automatic);
  config.retry.max_retries = options.retries;
  if (!options.rate.empty()) {
    config.rate_per_second = parse_rate(options.rate);
    if (!config.rate_per_second) {
      throw std::invalid_argument("--rate '" + escape_for_log(options.rate) + "' is not a rate above 0 (e.g. 50, 50/s, 300/m)");
    }
  }
  config.log_enabled = !options.no_log;
  config.log_path = options.log_path;
  config.lang = lang;
  config.concurrency = options.concurrency;
  config.threads = options.threads;
  config.echo_log = options.verbose;
  bool terminal = ::isatty(2) == 1;
  config.progress = (!options.quiet || options.live) && terminal;
  config.live = options.live && terminal;
  config.resume = options.resume;
  if (!options.out_path.empty()) {
    config.out_path = options.out_path;
    auto format = options.format.empty() ? result_format_for_path(options.out_path) : result_format_from_name(options.format);
    if (!format) throw std::invalid_argument("--out: cannot tell the format from '" + escape_for_log(options.out_path) +
                                             "'; name it .jsonl or .csv, or give --format");
    config.out_format = *format;
  } else if (!options.format.empty()) {
    throw std::invalid_argument("--format needs --out FILE");
  }
  if (command.theme->command == "fetch" && options.url_template.empty() && !options.items_are_urls) {
    throw std::invalid_argument("give --url TEMPLATE (with {} for the item) or --urls (each item is a URL)");
  }
  if (!options.url_template.empty() && options.items_are_urls) throw std::invalid_argument("--url and --urls exclude each other");
  if (!options.url_template.empty() && options.url_template.find("{}") == std::string::npos) {
    throw std::invalid_argument("--url '" + escape_for_log(options.url_template) + "' has no {} for the item");
  }
  return config;
}

void print_closing_lines(themes::language lang, const std::string& log_name, double seconds, bool log_enabled) {
  if (lang == themes::language::id) {
    if (log_enabled) fmt::print("\nLog aktivitas klien disimpan di: {}\n", log_name);
    fmt::print("{}Total waktu eksekusi: {:.2f} detik.\n", log_enabled ? "" : "\n", seconds);
  } else {
    if (log_enabled) fmt::print("\nClient activity log saved to: {}\n", log_name);
    fmt::print("{}Total execution time: {:.2f} seconds.\n", log_enabled ? "" : "\n", seconds);
  }
}

}  // namespace

std::unique_ptr<client_command> add_theme_command(CLI::App& root, const themes::theme& theme) {
  auto command = std::make_unique<client_command>();
  command->theme = &theme;
  command->app = root.add_subcommand(std::string(theme.command), std::string(theme.summary));
  add_client_options(*command->app, command->options, seconds_text(theme.timeout), theme.log_file, "id");
  return command;
}

std::unique_ptr<client_command> add_fetch_command(CLI::App& root) {
  const themes::theme& theme = themes::fetch_theme();
  auto command = std::make_unique<client_command>();
  command->theme = &theme;
  command->default_lang = "en";
  command->options.summary = "text";  // a bulk run ends with its numbers; the seed commands stay seed-exact
  command->app = root.add_subcommand(std::string(theme.command), std::string(theme.summary));
  add_client_options(*command->app, command->options, seconds_text(theme.timeout), theme.log_file, "en");
  command->app->add_option("--url", command->options.url_template,
                           "URL template; {} is replaced by the percent-encoded item, e.g. 'http://h/p?id={}'");
  command->app->add_flag("--urls", command->options.items_are_urls, "Each item is a whole http(s) URL");
  return command;
}

int run_client_command(const client_command& command) {
  const client_options& options = command.options;
  std::string_view lang_name = options.lang.empty() ? command.default_lang : options.lang;
  themes::language lang = lang_name == "en" ? themes::language::en : themes::language::id;
  std::string name(command.theme->command);

  client::theme_run_config config;
  try {
    config = make_config(command, lang);
  } catch (const std::invalid_argument& e) {
    fmt::print(stderr, "serentak {}: {}\n", name, e.what());
    return exit_usage;
  }
  if (options.live && !config.live) {
    fmt::print(stderr, "serentak {}: --live needs a terminal on stderr; running without the live view\n", name);
  }
  std::size_t fd_limit = raise_fd_limit();
  if (config.concurrency > 0) {
    std::size_t fitting = fitting_concurrency(config.concurrency, fd_limit);
    if (fitting < config.concurrency) {
      fmt::print(stderr, "serentak {}: warning: -c {} does not fit the open-file limit {}; using -c {}\n", name,
                 config.concurrency, fd_limit, fitting);
      config.concurrency = fitting;
    }
    reserve_descriptor_table(descriptors_for(config.concurrency));  // before signal_watch's thread
  }

  signal_watch signals;
  config.stop = &signals.stop_flag();
  client::theme_run_result result;
  try {
    result = client::run_theme(config);
  } catch (const std::invalid_argument& e) {
    fmt::print(stderr, "serentak {}: {}\n", name, e.what());
    return exit_usage;
  } catch (const std::system_error& e) {
    fmt::print(stderr, "serentak {}: {}\n", name, e.what());
    return exit_usage;
  } catch (const client::input_interrupted& e) {
    fmt::print(stderr, "serentak {}: {}\n", name, e.what());
    return signals.interrupted_exit_status();
  }

  double seconds = std::chrono::duration<double>(result.wall).count();
  print_closing_lines(lang, escape_for_log(result.log_path.string()), seconds, config.log_enabled);
  if (options.summary == "text") fmt::print("{}", render_summary_text(result.summary));
  if (options.summary == "json") fmt::print("{}\n", render_summary_json(result.summary));
  std::fflush(stdout);

  if (!result.engine_error.empty()) fmt::print(stderr, "serentak {}: {}\n", name, escape_for_log(result.engine_error));
  if (result.log_error != 0 || result.results_error != 0) {
    int err = result.log_error != 0 ? result.log_error : result.results_error;
    fmt::print(stderr, "serentak {}: writing the {} failed: {}\n", name, result.log_error != 0 ? "log" : "results",
               std::generic_category().message(err));
    return exit_io_error;
  }
  if (int status = signals.interrupted_exit_status(); status != 0) return status;
  return result.summary.failures() == 0 ? exit_ok : exit_items_failed;
}

}  // namespace serentak::cli
