#pragma once
// CLI11's help without its type noise (`UINT:SIZE [b, kb(=1024b), ...]`, `TEXT`, `FLOAT`): each
// option shows a short placeholder saying what it takes (DURATION, SIZE, FILE, URL, N) and its
// default at the end of its description. Set once on the root app; subcommands inherit it.
// Thread safety: immutable after construction, as CLI11 requires of formatters.

#include <string>

#include <CLI/CLI.hpp>

namespace serentak::cli {

class help_formatter final : public CLI::Formatter {
 public:
  help_formatter();
  std::string make_option_opts(const CLI::Option* option) const override;
  std::string make_option_desc(const CLI::Option* option) const override;
};

// The placeholder help shows for an option's value, from its long name ("timeout" -> "DURATION").
std::string value_placeholder(const CLI::Option& option);

}  // namespace serentak::cli
