#pragma once
// --web, --web-token and --web-token-env, shared by `serentak monitor` and the client commands run
// with --every: the CLI11 wiring, and the reading of what was given into where the dashboard listens
// and the token it wants. Pure: no socket is opened here.

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "web/web_access.hpp"

namespace serentak::cli {

struct web_flags {
  std::string web;        // --web HOST:PORT; empty: no dashboard
  std::string token;      // --web-token
  std::string token_env;  // --web-token-env NAME
};

struct web_choice {
  web::web_address address;
  std::string token;  // empty: none (loopback only)
};

// Adds the three options to command, filling flags (which must outlive parsing).
void add_web_options(CLI::App& command, web_flags& flags);

// nullopt when --web was not given. A bind other machines can reach without a token is refused: the
// dashboard shows every endpoint's state and messages, which are nobody else's business. Throws
// std::invalid_argument with the one-line reason (malformed address, unset variable, no token, a token
// without --web).
std::optional<web_choice> web_choice_of(const web_flags& flags);

}  // namespace serentak::cli
