#pragma once
// `serentak serve`: the five seed APIs on one asynchronous server, until SIGINT or SIGTERM.

#include <memory>

#include <CLI/CLI.hpp>

#include "server/mock_server.hpp"

namespace serentak::cli {

struct serve_command {
  CLI::App* app = nullptr;
  server::server_config config;
  std::uint64_t seed = 0;  // copied into config.seed when --seed was given
};

std::unique_ptr<serve_command> add_serve_command(CLI::App& root);
int run_serve_command(const serve_command& command);

}  // namespace serentak::cli
