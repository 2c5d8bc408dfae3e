#include "cli/demo_command.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "cli/console.hpp"
#include "cli/exit_codes.hpp"
#include "cli/signal_watch.hpp"
#include "client/theme_run.hpp"
#include "core/log_text.hpp"
#include "server/http/mock_server.hpp"
#include "themes/theme.hpp"

namespace serentak::cli {
namespace {

struct theme_outcome {
  const themes::theme* theme = nullptr;
  client::theme_run_result result;
  std::string error;  // set when the run could not start
};

std::string short_name(outcome o) {
  switch (o) {
    case outcome::ok: return "ok";
    case outcome::not_found: return "404";
    case outcome::client_error: return "4xx";
    case outcome::server_error: return "5xx";
    case outcome::timeout: return "tmo";
    case outcome::connection_error: return "conn";
    case outcome::invalid_response: return "inv";
    case outcome::unexpected: return "unx";
  }
  return "?";
}

// The whole table is one stdout write: a reader of a pipe or a file never sees it cut between rows.
void print_table(const std::vector<theme_outcome>& runs, double total_wall) {
  std::string header = fmt::format("{:<9} {:>5}", "theme", "items");
  for (outcome o : all_outcomes) header += fmt::format(" {:>4}", short_name(o));
  header += fmt::format(" {:>8} {:>12} {:>6}", "wall s", "sequential s", "gain");
  const std::string rule(header.size(), '-');
  std::string table = header + "\n" + rule + "\n";
  for (const theme_outcome& run : runs) {
    const run_summary& s = run.result.summary;
    table += fmt::format("{:<9} {:>5}", run.theme->command, s.items());
    for (outcome o : all_outcomes) table += fmt::format(" {:>4}", s.count(o));
    double gain = s.wall_seconds() > 0 ? s.sequential_seconds() / s.wall_seconds() : 0;
    table += fmt::format(" {:>8.2f} {:>12.2f} {:>5.1f}x\n", s.wall_seconds(), s.sequential_seconds(), gain);
  }
  table += rule + "\n";
  table += fmt::format(
      "all five at once: {:.2f} s wall. Columns: ok, 404 not_found, 4xx client_error, 5xx server_error,\n"
      "tmo timeout, conn connection_error, inv invalid_response, unx unexpected.\n",
      total_wall);
  console::out(table);
}

// Lines naming every item whose outcome differs from what the seed data implies.
std::vector<std::string> mismatches(const theme_outcome& run) {
  std::vector<std::string> out;
  if (!run.error.empty()) {
    out.push_back(fmt::format("{}: {}", run.theme->command, run.error));
    return out;
  }
  for (std::size_t i = 0; i < run.result.items.size(); ++i) {
    std::vector<outcome> allowed = themes::expected_outcomes(*run.theme, run.result.items[i]);
    outcome got = i < run.result.outcomes.size() ? run.result.outcomes[i] : outcome::unexpected;
    if (std::find(allowed.begin(), allowed.end(), got) == allowed.end()) {
      out.push_back(fmt::format("{} item {} '{}': got {}, expected {}", run.theme->command, i,
                                escape_for_log(run.result.items[i]), to_string(got), to_string(allowed.front())));
    }
  }
  return out;
}

}  // namespace

std::unique_ptr<demo_command> add_demo_command(CLI::App& root) {
  auto command = std::make_unique<demo_command>();
  CLI::App* app = root.add_subcommand(
      "demo", "Start the mock server on a free port and run all five seed clients against it at once");
  command->app = app;
  app->add_option("--log-dir", command->log_dir, "Folder for the five log files (created if missing)")
      ->capture_default_str();
  app->add_option("--lang", command->lang, "Language of log messages: id or en")
      ->check(CLI::IsMember({"id", "en"}))
      ->capture_default_str();
  app->add_option("--seed", command->seed, "Make the server's delays reproducible (default: random)");
  app->add_option("--delay-scale", command->delay_scale, "Multiply the server's delays by F; 0 removes them")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1000.0));
  app->add_option("--threads", command->threads, "Worker threads per client (default: CPU cores)")
      ->check(CLI::Range(1u, 256u));
  return command;
}

int run_demo_command(const demo_command& command) {
  std::error_code ec;
  std::filesystem::create_directories(command.log_dir, ec);
  if (ec) {
    console::err("serentak demo: cannot create --log-dir '{}': {}\n", escape_for_log(command.log_dir), ec.message());
    return exit_usage;
  }

  server::server_config server_config;
  server_config.port = 0;
  server_config.quiet = true;
  server_config.delay_scale = command.delay_scale;
  if (command.app->count("--seed") > 0) server_config.seed = command.seed;

  signal_watch signals;
  std::unique_ptr<server::mock_server> server;
  try {
    server = std::make_unique<server::mock_server>(server_config);
  } catch (const std::exception& e) {
    console::err("serentak demo: cannot start the mock server: {}\n", e.what());
    return exit_usage;
  }
  server->start();
  std::string base = fmt::format("http://127.0.0.1:{}", server->port());
  console::out("serentak demo: mock server on {}, five clients at once, logs in {}\n\n", base,
             escape_for_log(command.log_dir));

  std::vector<theme_outcome> runs;
  for (const themes::theme& theme : themes::seed_themes()) runs.push_back({&theme, {}, {}});

  auto started = std::chrono::steady_clock::now();
  {
    std::vector<std::jthread> clients;
    for (theme_outcome& run : runs) {
      clients.emplace_back([&run, &command, &base, &signals] {
        client::theme_run_config config;
        config.theme = run.theme;
        config.base_url = base;
        config.log_path = std::filesystem::path(command.log_dir) / run.theme->log_file;
        config.lang = command.lang == "en" ? themes::language::en : themes::language::id;
        config.threads = command.threads;
        config.keep_outcomes = true;
        config.stop = &signals.stop_flag();
        try {
          run.result = client::run_theme(config);
        } catch (const std::exception& e) {
          run.error = e.what();
        }
      });
    }
  }
  double total_wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  server->stop();

  print_table(runs, total_wall);
  std::vector<std::string> problems;
  for (const theme_outcome& run : runs) {
    for (std::string& line : mismatches(run)) problems.push_back(std::move(line));
  }
  if (int status = signals.interrupted_exit_status(); status != 0) return status;
  if (!problems.empty()) {
    // The verdict and its problems in one write, so the verdict is never read alone.
    std::string text = "\nNot what the seed data implies:\n";
    for (const std::string& line : problems) text += "  " + line + "\n";
    console::out(text);
    return exit_items_failed;
  }
  console::out("\nEvery item got the outcome the seed data implies (KUALA_LUMPUR, 999-9-99-999999-9, ORD-999 and\n"
             "9999 not found; /status/error a server error; /status/nonexistent not found; /status/slow ok or timeout).\n");
  return exit_ok;
}

}  // namespace serentak::cli
