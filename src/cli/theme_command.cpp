#include "cli/theme_command.hpp"

#include <cstdio>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

#include "cli/exit_codes.hpp"
#include "cli/signal_watch.hpp"
#include "client/theme_run.hpp"
#include "core/log_text.hpp"

namespace serentak::cli {
namespace {

std::string seconds_text(std::chrono::milliseconds ms) { return fmt::format("{}", static_cast<double>(ms.count()) / 1000.0); }

}  // namespace

std::unique_ptr<theme_command> add_theme_command(CLI::App& root, const themes::theme& theme) {
  auto command = std::make_unique<theme_command>();
  command->theme = &theme;
  command->app = root.add_subcommand(std::string(theme.command), std::string(theme.summary));
  add_client_options(*command->app, command->options, seconds_text(theme.timeout), theme.log_file);
  return command;
}

int run_theme_command(const theme_command& command) {
  const client_options& options = command.options;
  const themes::theme& theme = *command.theme;
  themes::language lang = options.lang == "en" ? themes::language::en : themes::language::id;

  signal_watch signals;
  client::theme_run_config config;
  config.theme = &theme;
  config.items = options.items;
  config.base_url = options.base_url;
  config.timeout = std::chrono::milliseconds(static_cast<long>(options.timeout_s * 1000));
  config.log_path = options.log_path;
  config.lang = lang;
  config.concurrency = options.concurrency;
  config.threads = options.threads;
  config.echo_log = options.verbose;
  config.stop = &signals.stop_flag();

  client::theme_run_result result;
  try {
    result = client::run_theme(config);
  } catch (const std::invalid_argument& e) {
    fmt::print(stderr, "serentak {}: {}\n", theme.command, e.what());
    return exit_usage;
  } catch (const std::system_error& e) {
    fmt::print(stderr, "serentak {}: {}\n", theme.command, e.what());
    return exit_usage;
  }

  double seconds = std::chrono::duration<double>(result.wall).count();
  std::string log_name = escape_for_log(result.log_path.string());
  if (lang == themes::language::id) {
    fmt::print("\nLog aktivitas klien disimpan di: {}\nTotal waktu eksekusi: {:.2f} detik.\n", log_name, seconds);
  } else {
    fmt::print("\nClient activity log saved to: {}\nTotal execution time: {:.2f} seconds.\n", log_name, seconds);
  }
  if (options.summary == "text") fmt::print("{}", render_summary_text(result.summary));
  if (options.summary == "json") fmt::print("{}\n", render_summary_json(result.summary));
  std::fflush(stdout);

  if (result.log_error != 0) {
    fmt::print(stderr, "serentak {}: writing the log {} failed: {}\n", theme.command, log_name,
               std::generic_category().message(result.log_error));
    return exit_io_error;
  }
  if (int status = signals.interrupted_exit_status(); status != 0) return status;
  return result.summary.failures() == 0 ? exit_ok : exit_items_failed;
}

}  // namespace serentak::cli
