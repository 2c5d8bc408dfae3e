#include "cli/option_conventions.hpp"

#include <fmt/format.h>

#include "core/duration_text.hpp"
#include "core/log_text.hpp"

namespace serentak::cli {

CLI::Validator duration_in_seconds() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        auto duration = parse_duration(value);
        if (!duration) {
          return "'" + escape_for_log(value) + "' is not a duration (e.g. 500ms, 5s, 2m, 1h, or seconds: 2.5)";
        }
        value = fmt::format("{}", duration->count());
        return {};
      },
      "DURATION");
}

void accept_durations(CLI::App& command, std::initializer_list<const char*> option_names) {
  for (const char* name : option_names) {
    if (CLI::Option* option = command.get_option_no_throw(name)) option->transform(duration_in_seconds());
  }
}

std::chrono::milliseconds seconds_to_ms(double seconds) {
  return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
}

}  // namespace serentak::cli
