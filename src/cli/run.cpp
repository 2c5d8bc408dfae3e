#include "cli/run.hpp"

#include <algorithm>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/client_command.hpp"
#include "cli/config_file.hpp"
#include "cli/console.hpp"
#include "cli/demo_command.hpp"
#include "cli/job_command.hpp"
#include "cli/monitor_command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/help_formatter.hpp"
#include "cli/serve_command.hpp"
#include "cli/signal_watch.hpp"
#include "cli/suggest.hpp"
#include "cli/version_text.hpp"
#include "client/engine/engine.hpp"
#include "core/bounded_file.hpp"
#include "core/log_text.hpp"
#include "themes/theme.hpp"

namespace serentak::cli {
namespace {

std::vector<std::string> command_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands(std::function<bool(const CLI::App*)>{}))
    names.push_back(sub->get_name());
  return names;
}

CLI::App* find_command(CLI::App& app, const std::string& name) {
  for (CLI::App* sub : app.get_subcommands(std::function<bool(CLI::App*)>{})) {
    if (sub->get_name() == name) return sub;
  }
  return nullptr;
}

// "unknown command 'wether'; did you mean 'weather'?" and exit 2.
int unknown_command(const CLI::App& app, const std::string& typed) {
  std::string line = "serentak: unknown command '" + escape_for_log(typed) + "'";
  if (auto near = closest_name(typed, command_names(app))) line += "; did you mean '" + *near + "'?";
  console::err("{} (see 'serentak --help')\n", line);
  return exit_usage;
}

// The first argument after the command that looks like a long option the command does not have,
// with the nearest one it does have.
std::optional<std::string> option_suggestion(const CLI::App& command, int argc, char** argv, std::string& who) {
  // The deepest command argv names (`job work`): its options are the ones to suggest from.
  const CLI::App* named = &command;
  int first = 2;
  for (; first < argc; ++first) {
    const std::string word = argv[first];
    const CLI::App* sub = nullptr;
    for (const CLI::App* s : named->get_subcommands()) {
      if (s->get_name() == word) sub = s;
    }
    if (sub == nullptr) break;
    named = sub;
    who += " " + word;
  }
  std::vector<std::string> known;
  for (const CLI::App* app = named; app != nullptr; app = app->get_parent()) {
    for (const CLI::Option* option : app->get_options()) {
      for (const std::string& name : option->get_lnames()) known.push_back("--" + name);
    }
    if (app == &command) break;
  }
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--") break;
    if (!arg.starts_with("--")) continue;
    arg = arg.substr(0, arg.find('='));
    if (std::find(known.begin(), known.end(), arg) != known.end()) continue;
    std::string line = "unknown option '" + escape_for_log(arg) + "'";
    if (auto near = closest_name(arg, known)) line += "; did you mean '" + *near + "'?";
    return line;
  }
  return std::nullopt;
}

// `serentak help [CMD]`: the same text as `serentak [CMD] --help`.
int print_help(CLI::App& app, int argc, char** argv) {
  if (argc < 3) {
    console::out(app.help());
    return exit_ok;
  }
  std::string name = argv[2];
  const CLI::App* command = find_command(app, name);
  if (command == nullptr) return unknown_command(app, name);
  console::out(command->help("serentak"));
  return exit_ok;
}

int parse_and_run(int argc, char** argv) {
  CLI::App app{"serentak: fetch many things at once, and mock the APIs they come from", "serentak"};
  app.formatter(std::make_shared<help_formatter>());
  app.set_version_flag(
      "--version", [] { return version_text(); }, "Print the versions of serentak and its libraries");
  app.set_help_flag("-h,--help", "Print this help; 'serentak help CMD' or 'serentak CMD --help' for a command's");
  app.require_subcommand(1, 1);
  app.fallthrough(false);

  auto serve = add_serve_command(app);
  auto demo = add_demo_command(app);
  std::vector<std::unique_ptr<client_command>> client_commands;
  for (const themes::theme& theme : themes::seed_themes()) client_commands.push_back(add_theme_command(app, theme));
  client_commands.push_back(add_fetch_command(app));
  for (CLI::App* sub : app.get_subcommands(std::function<bool(CLI::App*)>{})) {
    sub->set_config("--config", "", "TOML file of this command's options (key = value; the command line wins)");
  }
  auto job = add_job_command(app);
  for (CLI::App* sub : job->app->get_subcommands(std::function<bool(CLI::App*)>{})) {
    sub->set_config("--config", "", "TOML file of this command's options (key = value; the command line wins)");
  }
  auto monitor = add_monitor_command(app);

  // The command word first: CLI11 would call a typo "A subcommand is required" or an extra item.
  std::string command_name = argc > 1 ? argv[1] : "";
  CLI::App* command = nullptr;
  if (!command_name.empty() && !command_name.starts_with("-")) {
    if (command_name == "help") return print_help(app, argc, argv);
    command = find_command(app, command_name);
    if (command == nullptr) return unknown_command(app, command_name);
  }
  std::string who = command != nullptr ? "serentak " + command_name : "serentak";

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    console::out(app.help());
    return exit_ok;
  } catch (const CLI::CallForAllHelp&) {
    console::out(app.help("", CLI::AppFormatMode::All));
    return exit_ok;
  } catch (const CLI::CallForVersion& e) {
    console::out("{}\n", e.what());
    return exit_ok;
  } catch (const CLI::ParseError& e) {
    // CLI11 quotes the offending argument raw; it is untrusted text (an ESC, a newline).
    std::optional<std::string> suggestion;
    if (command != nullptr && dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
      std::string named = who;  // "serentak job work" when a subcommand was named
      suggestion = option_suggestion(*command, argc, argv, named);
      if (suggestion) who = named;
    }
    console::err("{}: {} (see '{} --help')\n", who, suggestion ? *suggestion : escape_for_log(e.what()), who);
    return exit_usage;
  }

  try {
    if (command != nullptr) {
      apply_config_file(*command);
      // `job push ... --config FILE`: the options are the subcommand's.
      for (CLI::App* sub : command->get_subcommands(std::function<bool(CLI::App*)>{})) {
        if (!sub->parsed()) continue;
        who += " " + sub->get_name();  // its errors point at `serentak job push --help`
        apply_config_file(*sub);
      }
    }
  } catch (const file_read_interrupted& e) {
    console::err("{}: {}\n", who, e.what());
    return exit_usage;  // run() turns it into the signal's status (130, 143)
  } catch (const std::exception& e) {
    console::err("{}: {} (see '{} --help')\n", who, e.what(), who);
    return exit_usage;
  }

  try {
    client::curl_global curl;
    if (serve->app->parsed()) return run_serve_command(*serve);
    if (demo->app->parsed()) return run_demo_command(*demo);
    if (job->app->parsed()) return run_job_command(*job);
    if (monitor->app->parsed()) return run_monitor_command(*monitor);
    for (const auto& client_command : client_commands) {
      if (client_command->app->parsed()) return run_client_command(*client_command);
    }
  } catch (const std::exception& e) {
    console::err("{}: unexpected error: {}\n", who, escape_for_log(e.what()));
    return exit_io_error;
  }
  return exit_usage;
}

}  // namespace

int run(int argc, char** argv) {
  // First: a SIGINT, SIGTERM or SIGHUP from now on is held pending until a command's signal_watch
  // takes it; one that comes where no watch is (parsing, --help, a usage error) ends the command
  // with its status here.
  block_stop_signals();
  std::string who = argc > 1 && argv[1][0] != '-' ? std::string("serentak ") + argv[1] : "serentak";
  try {
    return console::settle_exit_status(pending_stop_status(parse_and_run(argc, argv)), who);
  } catch (...) {  // bad_alloc while building the command line: nothing was sent
    console::err("serentak: out of memory\n");
    return exit_io_error;
  }
}

}  // namespace serentak::cli
