#pragma once
// The client commands: the five seed stories (weather, books, pizza, health, profiles) and the
// generic `fetch`. One implementation, parameterised by the theme descriptor that gives the
// route and the voice.

#include <memory>
#include <string_view>

#include <CLI/CLI.hpp>

#include "cli/client_options.hpp"
#include "themes/theme.hpp"

namespace serentak::cli {

struct client_command {
  const themes::theme* theme = nullptr;
  CLI::App* app = nullptr;
  client_options options;
  std::string_view default_lang = "id";
};

// Registers a seed command; the returned object must outlive parsing.
std::unique_ptr<client_command> add_theme_command(CLI::App& root, const themes::theme& theme);
// Registers `fetch` (adds --url and --urls; English by default).
std::unique_ptr<client_command> add_fetch_command(CLI::App& root);

int run_client_command(const client_command& command);

}  // namespace serentak::cli
