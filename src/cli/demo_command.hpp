#pragma once
// `serentak demo`: the whole seed system in one command. Starts the mock server in-process on a
// free port, runs the five theme clients against it at once, prints a table and checks that every
// item got the outcome the seed data implies.

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

namespace serentak::cli {

struct demo_command {
  CLI::App* app = nullptr;
  std::string log_dir = ".";     // where the five seed log files are written
  std::string lang = "id";
  std::uint64_t seed = 0;        // server seed, when given
  double delay_scale = 1.0;      // server delays, as in `serve`
  unsigned threads = 0;          // engine workers per client
};

std::unique_ptr<demo_command> add_demo_command(CLI::App& root);
int run_demo_command(const demo_command& command);

}  // namespace serentak::cli
