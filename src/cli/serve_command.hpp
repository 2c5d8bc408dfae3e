#pragma once
// `serentak serve`: the five seed APIs (or the scenarios given with --scenario, with --fault
// faults) on one asynchronous server, until SIGINT or SIGTERM; --print-scenario prints one.

#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "server/http/mock_server.hpp"

namespace serentak::cli {

struct serve_command {
  CLI::App* app = nullptr;
  server::server_config config;
  std::uint64_t seed = 0;                   // copied into config.seed when --seed was given
  std::vector<std::string> scenario_files;  // --scenario, in order; their routes merge
  std::vector<std::string> fault_specs;     // --fault, in order (server/fault_spec.hpp)
  std::string print_scenario;               // --print-scenario NAME: print it and exit
};

std::unique_ptr<serve_command> add_serve_command(CLI::App& root);
int run_serve_command(const serve_command& command);

}  // namespace serentak::cli
