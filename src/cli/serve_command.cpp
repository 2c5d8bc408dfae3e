#include "cli/serve_command.hpp"

#include <cstdio>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

#include "cli/exit_codes.hpp"
#include "cli/signal_watch.hpp"
#include "themes/theme.hpp"

namespace serentak::cli {
namespace {

std::string url_host(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

void print_banner(const server::server_config& config, unsigned short port) {
  std::string base = fmt::format("http://{}:{}", url_host(config.host), port);
  fmt::print("serentak mock API server running on {}\nEndpoints:\n", base);
  for (const themes::theme& theme : themes::seed_themes()) {
    if (theme.keyed) {
      fmt::print("  - GET {}?{}=...  ({})\n", theme.keyed->path, theme.keyed->param, theme.command);
    }
    for (const themes::fixed_route& route : theme.fixed) {
      fmt::print("  - GET {}  ({})\n", route.path, theme.command);
    }
  }
  fmt::print("  - (other URLs answer 404 Not Found)\nPress Ctrl-C to stop.\n");
  std::fflush(stdout);
}

}  // namespace

std::unique_ptr<serve_command> add_serve_command(CLI::App& root) {
  auto command = std::make_unique<serve_command>();
  CLI::App* app = root.add_subcommand("serve", "Run the five seed mock APIs on one asynchronous server");
  command->app = app;
  server::server_config& config = command->config;
  app->add_option("--host", config.host, "Address to listen on (IPv4, IPv6 or localhost)")->capture_default_str();
  app->add_option("--port", config.port, "TCP port; 0 picks a free one and prints it")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  app->add_option("--threads", config.threads, "I/O threads (default: CPU cores)")->check(CLI::Range(1u, 256u));
  app->add_option("--seed", command->seed, "Make delays and random picks reproducible (any unsigned number)");
  app->add_option("--delay-scale", config.delay_scale, "Multiply every delay by F; 0 removes delays")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1000.0));
  app->add_flag("--quiet", config.quiet, "Do not print the [SERVER] access lines");
  return command;
}

int run_serve_command(const serve_command& command) {
  server::server_config config = command.config;
  if (command.app->count("--seed") > 0) config.seed = command.seed;

  std::unique_ptr<server::mock_server> server;
  try {
    server = std::make_unique<server::mock_server>(config);
  } catch (const std::exception& e) {
    fmt::print(stderr, "serentak serve: {}\n", e.what());
    return exit_usage;
  }
  print_banner(config, server->port());
  {
    signal_watch signals([&server](int) { server->stop(); });
    server->start();
    server->wait();
  }
  fmt::print("serentak mock API server stopped.\n");
  return exit_ok;
}

}  // namespace serentak::cli
