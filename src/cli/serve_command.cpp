#include "cli/serve_command.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <csignal>
#include <cstdio>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "cli/console.hpp"
#include "cli/exit_codes.hpp"
#include "cli/fd_limit.hpp"
#include "cli/signal_watch.hpp"
#include "core/log_text.hpp"
#include "log/line_writer.hpp"
#include "scenario/builtin_scenarios.hpp"
#include "scenario/fault_spec.hpp"
#include "scenario/scenario_file.hpp"
#include "themes/theme.hpp"

namespace serentak::cli {
namespace {

// An IPv6 address is bracketed in a URL, once: "--host ::1" and "--host '[::1]'" both print [::1].
std::string url_host(const std::string& host) {
  if (host.starts_with('[')) return host;
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

// The banner's route lines, made before the configuration moves into the server (a scenario may
// hold a million records: it is moved, not copied). The banner is then one write, as the buffered
// print before it was: a reader that takes only the first line and leaves must not turn the later
// lines into a failed stdout.
std::string banner_routes(const server::server_config& config) {
  std::string banner;
  const std::vector<server::scenario> builtin =
      config.scenarios.empty() ? server::builtin_scenarios() : std::vector<server::scenario>{};
  for (const server::scenario& s : config.scenarios.empty() ? builtin : config.scenarios) {
    std::string name = escape_for_log(s.name.empty() ? s.source : s.name);
    for (const server::scenario_route& route : s.routes) {
      std::string faults = route.faults.empty() ? "" : fmt::format(", {} fault {}", route.faults.size(), route.faults.size() == 1 ? "rule" : "rules");
      if (route.keyed()) {
        banner += fmt::format("  - GET {}?{}=...  ({}{})\n", escape_for_log(route.path), escape_for_log(route.param), name,
                              faults);
      } else {
        banner += fmt::format("  - GET {}  ({}{})\n", escape_for_log(route.path), name, faults);
      }
    }
  }
  banner += "  - (other URLs answer 404 Not Found)\nPress Ctrl-C to stop.\n";
  return banner;
}

const char* signal_name(int sig) {
  switch (sig) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGHUP: return "SIGHUP";
    default: return "a signal";
  }
}

// The closing line, written only if stdout has room within a bound: a reader that has stopped
// reading must not keep a stopped server from exiting.
void print_stopped(int sig) {
  std::string line = sig == 0 ? std::string("serentak mock API server stopped.\n")
                              : fmt::format("serentak mock API server stopped ({}).\n", signal_name(sig));
  if (log::write_within(1, line, std::chrono::milliseconds(100)) != 0) {
    log::write_within(2, line, std::chrono::milliseconds(100));  // stdout is gone or stuck: say it here
  }
}

// What the signal watcher hands to the main thread: it only records the signal, so it is free to
// take a second Ctrl-C while the main thread stops the server.
struct stop_request {
  std::mutex mutex;  // guards sig
  std::condition_variable came;
  int sig = 0;
};

std::string builtin_names() {
  std::string names;
  for (const themes::theme& t : themes::seed_themes()) names += (names.empty() ? "" : ", ") + std::string(t.command);
  return names;
}

int print_scenario(const std::string& name) {
  std::optional<server::scenario> found = server::builtin_scenario(name);
  if (!found) {
    console::err("serentak serve: --print-scenario: no built-in scenario '{}' (known: {})\n",
               escape_for_log(name), builtin_names());
    return exit_usage;
  }
  console::out("{}\n", server::to_json(*found).dump(2));
  return exit_ok;
}

// Loads --scenario files and attaches --fault rules; the result goes into config.scenarios
// (left empty, meaning the built-in scenarios, when neither option was given).
void load_routes(const serve_command& command, server::server_config& config) {
  for (const std::string& file : command.scenario_files) config.scenarios.push_back(server::load_scenario_file(file));
  server::merged_routes(config.scenarios);  // a path claimed by two files is an error naming both
  std::vector<server::fault_option> faults;
  for (const std::string& spec : command.fault_specs) faults.push_back(server::parse_fault_spec(spec));
  if (faults.empty()) return;
  if (config.scenarios.empty()) config.scenarios = server::builtin_scenarios();
  server::attach_faults(config.scenarios, faults);
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
  app->add_option("--seed", command->seed, "Make delays and random picks reproducible: any unsigned number (default: random)");
  app->add_option("--delay-scale", config.delay_scale, "Multiply every delay by F; 0 removes delays")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1000.0));
  app->add_flag("--quiet", config.quiet, "Do not print the [SERVER] access lines");
  app->add_option("--access-log-buffer", config.access_log_buffer_bytes,
                  "Bytes of access lines held for a slow stdout reader; past it lines are dropped and counted")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30));
  app->add_option("--max-connections", config.max_connections,
                  "Open connections beyond which new ones are closed at once (raise ulimit -n to match)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{10000000}));
  app->add_option("--scenario", command->scenario_files,
                  "Serve the routes of this scenario file (JSON) instead of the seed APIs; repeatable, routes merge")
      ->type_name("FILE");
  app->add_option("--fault", command->fault_specs,
                  "Inject a fault, e.g. profiles:user_id=1121:attempt=1:503:retry-after=1 or /get_weather:5%:reset; "
                  "repeatable (see docs/mock-server.md)")
      ->type_name("SPEC");
  app->add_option("--tls-cert", config.tls_cert_file,
                  "Serve HTTPS with this PEM certificate chain (needs --tls-key)")
      ->type_name("FILE");
  app->add_option("--tls-key", config.tls_key_file, "PEM private key of --tls-cert")->type_name("FILE");
  app->add_option("--tls-client-ca", config.tls_client_ca_file,
                  "Require client certificates signed by a CA in this PEM file (mutual TLS; needs --tls-cert)")
      ->type_name("FILE");
  app->add_option("--print-scenario", command->print_scenario,
                  "Print a built-in scenario (weather, books, pizza, health, profiles) as JSON and exit")
      ->type_name("NAME");
  return command;
}

int run_serve_command(const serve_command& command) {
  server::server_config config = command.config;
  if (command.app->count("--seed") > 0) config.seed = command.seed;
  if (command.app->count("--print-scenario") > 0) return print_scenario(command.print_scenario);
  // A reader of stdout that leaves must cost access lines (EPIPE, counted), never the server.
  std::signal(SIGPIPE, SIG_IGN);

  raise_fd_limit();  // each connection is a descriptor: 10,000 waiting clients need 10,000 of them
  reserve_descriptor_table(descriptors_for(config.max_connections));  // before any thread starts

  stop_request stop;
  std::atomic<bool> loading{true};
  signal_watch signals([&stop, &loading](int sig) {
    if (loading.load()) {  // nothing to stop yet; the scenario files may take seconds to load
      print_stopped(sig);
      std::_Exit(exit_ok);
    }
    std::lock_guard lock(stop.mutex);
    if (stop.sig == 0) stop.sig = sig;
    stop.came.notify_all();
  });
  try {
    load_routes(command, config);
  } catch (const std::exception& e) {
    console::err("serentak serve: {}\n", e.what());
    return exit_usage;
  }
  loading.store(false);

  const std::string routes_text = banner_routes(config);
  const std::string base_host = fmt::format("{}://{}", config.tls_cert_file.empty() ? "http" : "https", url_host(config.host));
  std::unique_ptr<server::mock_server> server;
  try {
    server = std::make_unique<server::mock_server>(std::move(config));
  } catch (const std::exception& e) {
    console::err("serentak serve: {}\n", e.what());
    return exit_usage;
  }
  console::out(fmt::format("serentak mock API server running on {}:{}\nEndpoints:\n", base_host, server->port()) + routes_text);
  server->start();
  int sig = 0;
  {
    std::unique_lock lock(stop.mutex);
    stop.came.wait(lock, [&stop] { return stop.sig != 0; });
    sig = stop.sig;
  }
  server->stop();
  print_stopped(sig);
  return exit_ok;
}

}  // namespace serentak::cli
