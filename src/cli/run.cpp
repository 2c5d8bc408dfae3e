#include "cli/run.hpp"

#include <cstdio>
#include <exception>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "cli/demo_command.hpp"
#include "cli/job_command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/serve_command.hpp"
#include "cli/client_command.hpp"
#include "client/engine/engine.hpp"
#include "core/log_text.hpp"
#include "themes/theme.hpp"

namespace serentak::cli {

int run(int argc, char** argv) {
  CLI::App app{"serentak: fetch many things at once, and mock the APIs they come from", "serentak"};
  app.set_version_flag("--version", "serentak 0.1.0");
  app.require_subcommand(1, 1);
  app.fallthrough(false);

  auto serve = add_serve_command(app);
  auto demo = add_demo_command(app);
  std::vector<std::unique_ptr<client_command>> client_commands;
  for (const themes::theme& theme : themes::seed_themes()) client_commands.push_back(add_theme_command(app, theme));
  client_commands.push_back(add_fetch_command(app));
  auto job = add_job_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    // CLI11 quotes the offending argument raw; it is untrusted text (an ESC, a newline).
    fmt::print(stderr, "serentak: {} (see 'serentak --help')\n", escape_for_log(e.what()));
    return exit_usage;
  }

  try {
    client::curl_global curl;
    if (serve->app->parsed()) return run_serve_command(*serve);
    if (demo->app->parsed()) return run_demo_command(*demo);
    if (job->app->parsed()) return run_job_command(*job);
    for (const auto& command : client_commands) {
      if (command->app->parsed()) return run_client_command(*command);
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "serentak: unexpected error: {}\n", e.what());
    return exit_io_error;
  }
  return exit_usage;
}

}  // namespace serentak::cli
