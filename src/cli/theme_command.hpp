#pragma once
// The five seed commands (weather, books, pizza, health, profiles): one implementation,
// parameterised by the theme descriptor.

#include <memory>

#include <CLI/CLI.hpp>

#include "cli/client_options.hpp"
#include "themes/theme.hpp"

namespace serentak::cli {

struct theme_command {
  const themes::theme* theme = nullptr;
  CLI::App* app = nullptr;
  client_options options;
};

// Registers the subcommand; the returned object must outlive parsing.
std::unique_ptr<theme_command> add_theme_command(CLI::App& root, const themes::theme& theme);

int run_theme_command(const theme_command& command);

}  // namespace serentak::cli
