#include "cli/config_file.hpp"

#include <stdexcept>
#include <string>
#include <vector>

#include "core/log_text.hpp"

namespace serentak::cli {

void apply_config_file(CLI::App& command) {
  CLI::Option* config = command.get_option_no_throw("--config");
  if (config == nullptr || config->count() == 0) return;
  std::string path = config->as<std::string>();
  std::vector<CLI::ConfigItem> items = CLI::ConfigTOML().from_file(path);
  std::string where = "--config '" + escape_for_log(path) + "'";
  for (const CLI::ConfigItem& item : items) {
    if (item.name == "++" || item.name == "--") continue;  // CLI11's markers of a table's start and end
    bool ours = item.parents.empty() || (item.parents.size() == 1 && item.parents.front() == command.get_name());
    if (!ours)
      throw std::invalid_argument(where + ": table '" + escape_for_log(item.fullname()) + "' is not this command's");
    CLI::Option* option = command.get_option_no_throw(item.name == "items" ? "items" : "--" + item.name);
    if (option == nullptr || option == config) {
      throw std::invalid_argument(where + ": '" + escape_for_log(item.name) + "' is not an option of " +
                                  command.get_name());
    }
    if (option->count() > 0) continue;  // the command line wins
    try {
      option->add_result(item.inputs);
      option->run_callback();
    } catch (const CLI::Error& e) {
      throw std::invalid_argument(where + ": " + escape_for_log(e.what()));
    }
  }
}

}  // namespace serentak::cli
