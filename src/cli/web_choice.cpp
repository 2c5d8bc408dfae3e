#include "cli/web_choice.hpp"

#include <cstdlib>
#include <stdexcept>

#include <fmt/format.h>

#include "core/log_text.hpp"

namespace serentak::cli {

void add_web_options(CLI::App& command, web_flags& flags) {
  command
      .add_option("--web", flags.web,
                  "Serve the live dashboard on ADDR, HOST:PORT (port 0: any free port; the URL is printed "
                  "on stderr); a non-loopback HOST needs a token. See docs/dashboard.md")
      ->type_name("ADDR");
  auto* token =
      command
          .add_option("--web-token", flags.token,
                      "Token the dashboard's API, badges and events require (Authorization: Bearer or ?token=)")
          ->type_name("TOKEN");
  // Both need --web, checked by web_choice_of: CLI11's needs() runs while parsing, before --config's
  // file is applied, so `--web-token-env T` with `web = ...` in the file would be refused.
  command.add_option("--web-token-env", flags.token_env, "Read the dashboard's token from this environment variable")
      ->type_name("NAME")
      ->excludes(token);
}

std::optional<web_choice> web_choice_of(const web_flags& flags) {
  if (flags.web.empty()) {
    if (!flags.token.empty()) throw std::invalid_argument("--web-token needs --web HOST:PORT");
    if (!flags.token_env.empty()) throw std::invalid_argument("--web-token-env needs --web HOST:PORT");
    return std::nullopt;
  }
  std::optional<web::web_address> address = web::parse_web_address(flags.web);
  if (!address) {
    throw std::invalid_argument(fmt::format(
        "--web '{}': expected HOST:PORT, e.g. 127.0.0.1:8080, [::1]:8080 or 127.0.0.1:0", escape_for_log(flags.web)));
  }
  web_choice choice{*address, flags.token};
  if (!flags.token_env.empty()) {
    const char* value = std::getenv(flags.token_env.c_str());
    if (value == nullptr || *value == '\0') {
      throw std::invalid_argument(
          fmt::format("--web-token-env {}: the variable is not set or empty", escape_for_log(flags.token_env)));
    }
    choice.token = value;
  }
  if (!web::is_loopback(address->host) && choice.token.empty()) {
    throw std::invalid_argument(fmt::format(
        "--web {}: not a loopback address; a dashboard other machines can reach needs --web-token or --web-token-env",
        escape_for_log(flags.web)));
  }
  return choice;
}

}  // namespace serentak::cli
