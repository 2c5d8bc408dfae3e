#include "cli/config_file.hpp"

#include <algorithm>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/signal_watch.hpp"
#include "core/bounded_file.hpp"
#include "core/log_text.hpp"

namespace serentak::cli {

namespace {

// An option's name as a config file spells it: its first long name without the dashes.
std::string config_key(const CLI::Option& option) {
  return option.get_lnames().empty() ? option.get_name() : option.get_lnames().front();
}

// Whether an option holds a value that means something: a flag set to false (`no-log = false`) is as
// good as absent, so it excludes nothing and needs nothing.
bool holds_a_value(const CLI::Option& option) {
  if (option.count() == 0) return false;
  if (option.get_expected_max() != 0) return true;  // takes an argument: not a flag
  try {
    return option.as<bool>();
  } catch (const CLI::Error&) {
    return true;
  }
}

}  // namespace

void apply_config_file(CLI::App& command) {
  CLI::Option* config = command.get_option_no_throw("--config");
  if (config == nullptr || config->count() == 0) return;
  std::string path = config->as<std::string>();
  std::string where = "--config '" + escape_for_log(path) + "'";
  // Read here with a bound, not by CLI11's from_file (a getline of the whole file: /dev/zero took all
  // memory, a directory read as an empty file, a FIFO could not be interrupted).
  std::string text;
  try {
    text = read_bounded_file(path, max_config_file_bytes, stop_requested);
  } catch (const file_read_interrupted&) {
    throw file_read_interrupted("interrupted while reading " + where);
  } catch (const file_read_error& e) {
    throw std::invalid_argument(where + " " + e.what());
  }
  std::istringstream in(text);
  std::vector<CLI::ConfigItem> items = CLI::ConfigTOML().from_config(in);
  std::set<const CLI::Option*> in_file;
  std::set<const CLI::Option*> on_command_line;
  std::set<const CLI::Option*> given_on_command_line;  // even a flag set false there
  for (const CLI::Option* option : command.get_options()) {
    if (holds_a_value(*option)) on_command_line.insert(option);
    if (option->count() > 0) given_on_command_line.insert(option);
  }
  for (const CLI::ConfigItem& item : items) {
    if (item.name == "++" || item.name == "--") continue;  // CLI11's markers of a table's start and end
    // Under no table, [CMD], or for a subcommand also [job.CMD].
    const CLI::App* parent = command.get_parent();
    const bool ours = item.parents.empty() ||
                      (item.parents.size() == 1 && item.parents.front() == command.get_name()) ||
                      (item.parents.size() == 2 && parent != nullptr && parent->get_parent() != nullptr &&
                       item.parents.front() == parent->get_name() && item.parents.back() == command.get_name());
    if (!ours)
      throw std::invalid_argument(where + ": table '" + escape_for_log(item.fullname()) + "' is not this command's");
    CLI::Option* option = command.get_option_no_throw(item.name == "items" ? "items" : "--" + item.name);
    if (option == nullptr || option == config) {
      throw std::invalid_argument(where + ": '" + escape_for_log(item.name) + "' is not an option of " +
                                  command.get_name());
    }
    // A key given again adds its values, as CLI11 does for repeated lines: two headers are two
    // headers. An option of one value given twice (or an array of them) is refused rather than taken
    // either way, which would hide a mistake (`timeout` at the top and again under [fetch]).
    const bool again = !in_file.insert(option).second;
    if (option->get_expected_max() <= 1 && (again || item.inputs.size() > 1))
      throw std::invalid_argument(where + ": '" + escape_for_log(item.name) + "' is given more than once");
    if (given_on_command_line.count(option) > 0) continue;  // the command line wins
    // CLI11 checked --json against --data on the command line only. One of a pair on the command
    // line wins over the other in the file (-d replaces a default --json body); both in the file
    // are refused, as both on the command line are.
    const std::set<CLI::Option*> excluded = option->get_excludes();
    if (std::any_of(excluded.begin(), excluded.end(),
                    [&](const CLI::Option* o) { return on_command_line.count(o) > 0; }))
      continue;
    try {
      option->add_result(item.inputs);
      option->run_callback();
    } catch (const CLI::Error& e) {
      throw std::invalid_argument(where + ": " + escape_for_log(e.what()));
    }
    if (!holds_a_value(*option)) continue;
    for (const CLI::Option* other : excluded) {
      if (holds_a_value(*other)) {
        throw std::invalid_argument(where + ": '" + escape_for_log(item.name) + "' and '" + config_key(*other) +
                                    "' exclude each other");
      }
    }
  }
}

}  // namespace serentak::cli
