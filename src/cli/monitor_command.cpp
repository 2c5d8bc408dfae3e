#include "cli/monitor_command.hpp"

#include <algorithm>
#include <chrono>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "cli/console.hpp"
#include "cli/exit_codes.hpp"
#include "cli/fd_limit.hpp"
#include "cli/monitor_history.hpp"
#include "cli/signal_watch.hpp"
#include "core/log_text.hpp"
#include "core/process_start.hpp"
#include "log/event_log.hpp"
#include "monitor/alert_sender.hpp"
#include "monitor/duration_text.hpp"
#include "monitor/monitor_config.hpp"
#include "monitor/monitor_metrics.hpp"
#include "monitor/monitor_runner.hpp"
#include "web/dashboard_server.hpp"
#include "web/dashboard_state.hpp"
#include "web/history_api.hpp"
#include "web/metrics_server.hpp"
#include "web/web_access.hpp"

namespace serentak::cli {
namespace {

std::chrono::milliseconds duration_option(const std::string& text, const char* option) {
  std::optional<std::chrono::milliseconds> d = monitor::parse_duration(text);
  if (!d || d->count() <= 0) {
    throw std::invalid_argument(
        fmt::format("{}: '{}' is not a duration above 0 (e.g. 12h, 7d, 1h30m)", option, escape_for_log(text)));
  }
  return *d;
}

// Problems `serentak monitor` finds in a file the loader accepted: a certificate condition on an
// endpoint that has no certificate to read. Each is a monitor_file_error, printed FILE:LINE:COL
// like the loader's.
std::vector<monitor::monitor_file_error> unsupported(const monitor::monitor_config& config) {
  std::vector<monitor::monitor_file_error> errors;
  for (const monitor::endpoint_config& e : config.endpoints) {
    std::string scheme = e.url.substr(0, 8);
    std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char ch) { return std::tolower(ch); });
    if (scheme == "https://") continue;
    for (const monitor::condition& c : e.conditions) {
      if (!c.reads_certificate()) continue;
      errors.push_back({config.file, e.where,
                        fmt::format("endpoint '{}': condition '{}' reads [CERTIFICATE_EXPIRATION], which needs an "
                                    "https:// URL",
                                    e.name, c.text())});
    }
  }
  return errors;
}

// The whole file, checked: the loader's problems first, then what `serentak monitor` cannot check.
// `stopped` ends a read that waits (a FIFO): stop_requested at the start; interrupt_requested at a
// reload, where a second SIGHUP pending while the watcher reads is a reload to come, not a stop.
monitor::monitor_file_result load_checked(const std::string& file, bool (*stopped)() noexcept) {
  monitor::monitor_file_result loaded = monitor::load_monitor_file(file, stopped);
  if (loaded.ok()) loaded.errors = unsupported(loaded.config);
  if (loaded.ok() && loaded.config.endpoints.empty()) {
    loaded.errors.push_back({file, {}, "no endpoints to check"});
  }
  return loaded;
}

// A bad file's problems, one FILE:LINE:COL line each, as one text: both the start and SIGHUP's
// reload hand it to a single console::err, so a reader of stderr never sees part of the list.
std::string problems_text(const std::vector<monitor::monitor_file_error>& errors) {
  std::string text;
  for (const monitor::monitor_file_error& e : errors) text += escape_for_log(e.render()) + "\n";
  return text;
}

// SIGHUP's reload, between the signal watcher's thread (which loads and checks the file) and the
// command's thread (which runs one monitor_runner after another); also where --metrics reads the
// running runner's skipped ticks. mutex_ guards next_, running_ and the skipped totals.
// A file that passed is kept in next_ and the running runner is asked to stop; the command's
// thread then takes it and starts the next runner. A runner registered while a file waits is
// stopped at once, so a SIGHUP that comes between two runners is never lost.
class reload_slot {
 public:
  void offer(monitor::monitor_config config) {
    std::lock_guard lock(mutex_);
    next_ = std::move(config);
    if (running_ != nullptr) running_->request_stop();
  }
  void running(monitor::monitor_runner* runner) {
    std::lock_guard lock(mutex_);
    running_ = runner;
    if (running_ != nullptr && next_) running_->request_stop();
  }
  // The runner's run() returned: its skipped ticks join the earlier runners'.
  void finished(const monitor::monitor_report& report) {
    std::lock_guard lock(mutex_);
    running_ = nullptr;
    skipped_busy_ += report.skipped_busy;
    skipped_late_ += report.skipped_late;
  }
  std::optional<monitor::monitor_config> take() {
    std::lock_guard lock(mutex_);
    return std::exchange(next_, std::nullopt);
  }
  // Ticks skipped since the monitor started, over every runner (for --metrics).
  monitor::metrics_extras skipped() const {
    std::lock_guard lock(mutex_);
    monitor::metrics_extras extras;
    extras.skipped_busy = skipped_busy_;
    extras.skipped_late = skipped_late_;
    if (running_ != nullptr) {
      const monitor::source_counters now = running_->counters();
      extras.skipped_busy += now.skipped_busy;
      extras.skipped_late += now.skipped_late;
    }
    return extras;
  }

 private:
  mutable std::mutex mutex_;
  std::optional<monitor::monitor_config> next_;
  monitor::monitor_runner* running_ = nullptr;
  std::uint64_t skipped_busy_ = 0;  // of the runners that have ended
  std::uint64_t skipped_late_ = 0;
};

// SIGHUP, on the signal watcher's thread: the file read and checked whole again; one that passes is
// handed to the command's thread through reload, one that does not is reported and changes nothing.
void reload_file(const monitor_options& o, const monitor::monitor_runner_options& options, log::event_log& log,
                 reload_slot& reload) {
  monitor::monitor_file_result next = load_checked(o.file, interrupt_requested);
  if (!next.ok()) {
    // One write for the verdict and its problems: a reader of stderr never sees the verdict alone.
    std::string text = fmt::format("serentak monitor: SIGHUP: {} has {} problem{}; the running configuration is kept\n",
                                   escape_for_log(o.file), next.errors.size(), next.errors.size() == 1 ? "" : "s");
    text += problems_text(next.errors);
    console::err(text);
    if (options.log != nullptr) {
      log.write("monitor", fmt::format("reload refused, the running configuration is kept: {}",
                                       next.errors.front().render()));
    }
    return;
  }
  reload.offer(std::move(next.config));
}

void add_to(monitor::monitor_report& total, const monitor::monitor_report& run) {
  total.checks += run.checks;
  total.skipped_busy += run.skipped_busy;
  total.skipped_late += run.skipped_late;
  total.written += run.written;
  total.dropped += run.dropped;
  total.failed_batches += run.failed_batches;
  if (!run.history_error.empty()) total.history_error = run.history_error;
  if (total.engine_error.empty()) total.engine_error = run.engine_error;
}

bool has_alerts(const monitor::monitor_config& config) {
  return std::any_of(config.endpoints.begin(), config.endpoints.end(),
                     [](const monitor::endpoint_config& e) { return !e.alerts.empty(); });
}

std::filesystem::path log_path_for(const monitor_options& o) {
  const std::filesystem::path file(o.file);
  const std::filesystem::path dir = o.log_dir.empty() ? file.parent_path() : std::filesystem::path(o.log_dir);
  return dir / (file.stem().string() + ".log");
}

int run_monitor(const monitor_options& o) {
  // First checks land within one interval of the process's start, however long the file and the
  // history take.
  const auto launched = process_start_time();
  const std::optional<web_choice> web_wanted = web_choice_of(o.web);
  std::optional<web::web_address> metrics_address;
  if (!o.metrics.empty()) {
    metrics_address = web::parse_web_address(o.metrics);
    if (!metrics_address) {
      throw std::invalid_argument(fmt::format("--metrics '{}': expected HOST:PORT, e.g. 127.0.0.1:9100 or [::1]:0",
                                              escape_for_log(o.metrics)));
    }
  }
  monitor::monitor_runner_options options;
  options.db_path = o.db_path.empty() ? default_db_path(o.file) : o.db_path;
  options.keep_checks = duration_option(o.keep, "--keep");
  options.keep_rollups = duration_option(o.keep_rollups, "--keep-rollups");
  options.concurrency = o.concurrency;

  // The whole file is checked before anything is opened: every problem, each FILE:LINE:COL.
  monitor::monitor_file_result loaded = load_checked(o.file, stop_requested);
  if (!loaded.ok()) {
    console::err(problems_text(loaded.errors));
    return exit_usage;
  }
  monitor::monitor_config config = std::move(loaded.config);
  if (config.endpoints.empty()) {
    console::err("serentak monitor: {}: no endpoints to check\n", escape_for_log(o.file));
    return exit_usage;
  }

  // Each check in flight is a socket: lift the open-file limit, and say so when it is still short.
  const std::size_t in_flight = std::min<std::size_t>(o.concurrency != 0 ? o.concurrency : config.endpoints.size(), 10000);
  const std::size_t fd_limit = raise_fd_limit();
  const std::size_t fitting = fitting_concurrency(in_flight, fd_limit);
  if (fitting < in_flight) {
    console::err("serentak monitor: warning: {} checks in flight do not fit the open-file limit {}; give -c {}\n",
                 in_flight, fd_limit, fitting);
  }
  reserve_descriptor_table(descriptors_for(fitting));  // before any thread starts

  std::optional<log::event_log> log_file;
  if (!o.no_log) {
    try {
      log_file.emplace(log::event_log::open(log_path_for(o)));
      log_file->lock();
      log_file->start("serentak monitor " + o.file,
                      /*append=*/true);  // a monitor's log is its history: never truncated
      log_file->rotate_at(o.log_max_bytes, o.log_keep);
    } catch (const std::exception& e) {
      console::err("serentak monitor: {}\n", e.what());
      return exit_usage;
    }
  } else {
    log_file.emplace();  // writes nothing
  }
  log::event_log& log = *log_file;
  options.log = o.no_log ? nullptr : &log;
  // Alerts go out of band: a health change only offers them to the sender's bounded queue, whose
  // one thread does the webhook POSTs and exec runs (alert_sender.hpp), so a slow receiver never
  // delays a check. Made only when some endpoint has alerts.
  // Made only when some endpoint has alerts (at start, or after a reload, between two runners:
  // no engine thread reads it then).
  std::optional<monitor::alert_sender> alerts;
  const auto make_alert_sender = [&] {
    monitor::alert_sender_options alert_options;
    if (options.log != nullptr) {
      // The sender's lines are escaped and their URLs redacted already.
      alert_options.log = [&log](std::string_view line) { log.write("alerts", line); };
    }
    alerts.emplace(std::move(alert_options));
  };
  if (has_alerts(config)) make_alert_sender();
  const bool quiet = o.quiet;
  options.on_alert = [&alerts, quiet](const monitor::endpoint_config& endpoint, const monitor::alert_event& event) {
    if (!quiet) {
      std::string line = fmt::format("{}: {} -> {}", endpoint.name, to_string(event.from), to_string(event.to));
      if (!event.failed_conditions.empty()) line += ": " + event.failed_conditions;
      console::err("serentak monitor: {}\n", escape_for_log(line));
    }
    if (alerts) alerts->offer(endpoint, event);
  };

  // The dashboard's picture is fed by every judged check (one short lock each). It is made anew
  // for each configuration (below), between runners, when no check runs.
  std::optional<web::dashboard_state> board;
  // --metrics: the counters of the running configuration, made anew with it between runners. The
  // scrape renders on the metrics server's thread: metrics_mutex guards the swap of metrics (and the
  // making of the alert sender after a reload) against it.
  std::mutex metrics_mutex;
  std::optional<monitor::monitor_metrics> metrics;
  if (web_wanted || metrics_address) {
    options.on_check = [&board, &metrics](const monitor::check_update& update) {
      if (board) board->on_check(update);
      if (metrics) metrics->on_check(update);  // atomics only; replaced only while no check runs
    };
  }
  std::unique_ptr<web::history_api> web_history;
  std::optional<web::dashboard_server> dashboard;
  std::optional<web::web_address> web_bind;
  if (web_wanted) web_bind = web_wanted->address;
  // The dashboard for the running configuration: its picture restored from the history (states and
  // roll-ups, read once), served on --web (after a reload, on the port the first start got, so a
  // browser's stream reconnects to it and, its event id being another run's, gets a snapshot).
  // An exit status when it cannot start, 0 when it did.
  const auto start_dashboard = [&](bool first) -> int {
    board.emplace(config);
    try {
      monitor::history_store store(options.db_path);
      board->restore(store, std::chrono::system_clock::now());
      if (!web_history) web_history = std::make_unique<web::history_api>(options.db_path);
    } catch (const monitor::history_error& e) {
      console::err("serentak monitor: --web: the history '{}' could not be read: {}\n", escape_for_log(options.db_path),
                   escape_for_log(e.what()));
      return exit_io_error;
    }
    try {
      web::dashboard_options web_options;
      web_options.token = web_wanted->token;
      web_options.lang = o.lang;
      dashboard.emplace(*board, web_history.get(), *web_bind, std::move(web_options));
    } catch (const std::exception& e) {  // std::system_error: address in use, not ours
      console::err("serentak monitor: --web {}: {}\n", escape_for_log(o.web.web), escape_for_log(e.what()));
      return first ? exit_usage : exit_io_error;
    }
    web_bind->port = dashboard->port();
    dashboard->start();
    // One line, always (even with -q): with port 0 it is the only way to find the dashboard.
    if (first) console::err("serentak monitor: dashboard on {}\n", dashboard->url());
    return 0;
  };

  reload_slot reload;  // before the watch, whose thread uses it: the watch is joined first
  signal_watch signals;
  options.stop = &signals.stop_flag();
  // SIGHUP reads the file again on the watcher thread: a file that passes replaces the running
  // configuration (states come back from the history, so streaks and alerts carry over); one that
  // does not is reported and the running configuration goes on.
  signals.reload_on_hangup([&]() noexcept {
    try {
      reload_file(o, options, log, reload);
    } catch (const std::exception& e) {  // out of memory, a filesystem error: the running file stays
      console::err("serentak monitor: SIGHUP: the reload failed ({}); the running configuration is kept\n",
                   escape_for_log(e.what()));
    }
  });

  std::optional<web::metrics_server> metrics_endpoint;
  if (metrics_address) {
    metrics.emplace(config);
    try {
      metrics_endpoint.emplace(*metrics_address, [&]() -> std::string {
        monitor::metrics_extras extras = reload.skipped();
        std::lock_guard lock(metrics_mutex);  // alerts and metrics are made anew under it, between runners
        if (alerts) {
          extras.alert_queue_depth = alerts->queue_depth();
          extras.alerts_sent = alerts->sent();
          extras.alerts_failed = alerts->failed();
          extras.alerts_dropped = alerts->dropped();
        }
        return metrics ? metrics->render(extras) : std::string();
      });
    } catch (const std::exception& e) {  // std::system_error: address in use, not ours
      console::err("serentak monitor: --metrics {}: {}\n", escape_for_log(o.metrics), escape_for_log(e.what()));
      return exit_usage;
    }
    metrics_endpoint->start();
    console::err("serentak monitor: metrics on {}\n", metrics_endpoint->url());
  }

  monitor::monitor_report report;
  for (bool first = true;; first = false) {
    std::optional<monitor::monitor_runner> runner;
    options.launched = first ? launched : std::chrono::steady_clock::now();  // a reload starts its own interval
    try {
      runner.emplace(config, options);
    } catch (const monitor::history_error& e) {
      console::err("serentak monitor: --db '{}': {}\n", escape_for_log(options.db_path), escape_for_log(e.what()));
      if (first) return exit_usage;
      report.engine_error = fmt::format("--db '{}': {}", options.db_path, e.what());
      break;
    }
    if (!o.quiet) {
      console::err("serentak monitor: {}{} endpoint{} from {}, history in {}{}, {} restored; Ctrl-C stops\n",
                   first ? "" : "reloaded: ", config.endpoints.size(), config.endpoints.size() == 1 ? "" : "s",
                   escape_for_log(o.file), escape_for_log(options.db_path),
                   o.no_log ? std::string() : ", log in " + escape_for_log(log.path().string()), runner->restored());
    }
    if (options.log != nullptr) {
      log.write("monitor", fmt::format("{}{} endpoints, history in {}, {} states restored", first ? "" : "reloaded: ",
                                       config.endpoints.size(), options.db_path, runner->restored()));
    }
    if (web_wanted) {
      if (const int failed = start_dashboard(first); failed != 0) {
        if (first) return failed;
        // The dashboard is a view: without it the checks, the history and the alerts go on.
        console::err("serentak monitor: --web: the dashboard could not be started again after the reload; the "
                     "checks go on without it until the next reload\n");
      }
    }
    reload.running(&*runner);
    const monitor::monitor_report run = runner->run();
    reload.finished(run);
    add_to(report, run);
    if (dashboard) {
      dashboard->stop();  // streams and requests end before the runner and the picture go
      dashboard.reset();
    }
    runner.reset();  // before the configuration it reads is replaced
    if (signals.stop_flag().load()) break;
    std::optional<monitor::monitor_config> next = reload.take();
    if (!next) break;  // the runner ended on its own (an engine failure): report it below
    config = std::move(*next);
    std::lock_guard lock(metrics_mutex);  // a scrape may be reading both
    if (!alerts && has_alerts(config)) make_alert_sender();
    if (metrics_address) metrics.emplace(config);
  }
  if (alerts) {
    alerts->close();  // what is queued goes out, bounded (5 s), before the closing lines
    if (options.log != nullptr) {
      log.write("alerts", fmt::format("{} sent, {} failed, {} dropped", alerts->sent(), alerts->failed(),
                                      alerts->dropped()));
    }
    if (alerts->failed() > 0 || alerts->dropped() > 0) {
      console::err("serentak monitor: alerts: {} sent, {} failed, {} dropped (see the log)\n", alerts->sent(),
                   alerts->failed(), alerts->dropped());
    }
  }

  if (options.log != nullptr) {
    log.write("monitor",
              fmt::format("stopped: {} checks, {} records written, {} dropped, {} ticks skipped busy, {} late",
                          report.checks, report.written, report.dropped, report.skipped_busy, report.skipped_late));
  }
  if (!o.quiet) {
    console::err("serentak monitor: stopped after {} checks; {} records written to the history\n", report.checks,
                 report.written);
  }
  int status = signals.interrupted_exit_status();
  if (!report.engine_error.empty()) {
    console::err("serentak monitor: {}\n", escape_for_log(report.engine_error));
    if (status == 0) status = exit_io_error;
  }
  if (report.dropped > 0 || report.failed_batches > 0) {
    console::err("serentak monitor: the history lost records: {} dropped by a full queue, {} transactions failed{}\n",
                 report.dropped, report.failed_batches,
                 report.history_error.empty() ? std::string() : " (" + escape_for_log(report.history_error) + ")");
    if (status == 0) status = exit_io_error;
  }
  if (log.enabled() && log.first_error() != 0) {
    console::err("serentak monitor: writing the log failed: {}\n", std::generic_category().message(log.first_error()));
    if (status == 0) status = exit_io_error;
  }
  return status != 0 ? status : exit_ok;
}

}  // namespace

std::unique_ptr<monitor_command> add_monitor_command(CLI::App& root) {
  auto command = std::make_unique<monitor_command>();
  monitor_options& o = command->options;
  CLI::App* app = root.add_subcommand(
      "monitor", "Check a monitor file's endpoints on their schedule until stopped, keeping their history");
  command->app = app;
  app->add_option("file", o.file, "Monitor file (YAML or JSON; see docs/monitor.md)")->type_name("FILE");
  app->add_option("--db", o.db_path, "History database (SQLite) (default: FILE with the extension .db)")
      ->type_name("FILE");
  app->add_option("--keep", o.keep, "Keep each check this long, e.g. 12h, 7d")
      ->capture_default_str()
      ->type_name("DURATION");
  app->add_option("--keep-rollups", o.keep_rollups, "Keep the hourly roll-ups this long")
      ->capture_default_str()
      ->type_name("DURATION");
  app->add_option("-c,--concurrency", o.concurrency,
                  "Checks in flight at once per request group (default: one per endpoint, at most 10000)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10000}));
  auto* log_dir =
      app->add_option("--log-dir", o.log_dir, "Folder of the event log FILE-stem.log (default: FILE's folder)");
  auto* log_max = app->add_option("--log-max", o.log_max_bytes,
                                  "Rotate the event log before it passes this size: bytes, or with k, m, g (default 100m)")
                      ->transform(CLI::AsSizeValue(false))
                      ->check(CLI::Range(std::uint64_t{1024}, std::uint64_t{1} << 40))
                      ->type_name("SIZE");
  auto* log_keep = app->add_option("--log-keep", o.log_keep, "Rotated event logs kept (FILE-stem.log.1 is the newest)")
                       ->check(CLI::Range(1u, 1000u))
                       ->capture_default_str()
                       ->type_name("N");
  app->add_flag("--no-log", o.no_log, "Write no event log")->excludes(log_dir)->excludes(log_max)->excludes(log_keep);
  app->add_flag("-q,--quiet", o.quiet, "No start banner and no health changes on stderr");
  app->add_option("--metrics", o.metrics,
                  "Serve Prometheus metrics at http://ADDR/metrics, HOST:PORT (port 0: any free port; the URL is "
                  "printed on stderr). See docs/monitor.md")
      ->type_name("ADDR");
  add_web_options(*app, o.web);
  app->add_option("--lang", o.lang, "Language of the dashboard's labels: id or en (default en)")
      ->check(CLI::IsMember({"id", "en"}));

  command->history = app->add_subcommand("history", "Print an endpoint's checks from the history database");
  command->history->add_option("name", o.name, "The endpoint's name")->required()->type_name("NAME");
  command->history->add_option("--db", o.db_path, "History database written by 'serentak monitor'")
      ->required()
      ->type_name("FILE");
  command->history->add_option("--since", o.since, "Checks started at most this long ago, e.g. 30m, 1h, 7d")
      ->capture_default_str()
      ->type_name("DURATION");
  command->history->add_flag("--json", o.json, "One JSON object per check (JSONL)");
  return command;
}

int run_monitor_command(const monitor_command& command) {
  const monitor_options& o = command.options;
  const std::string who = command.history->parsed() ? "serentak monitor history" : "serentak monitor";
  try {
    if (command.history->parsed())
      return run_monitor_history(o.name, o.db_path, duration_option(o.since, "--since"), o.json);
    if (o.file.empty()) {
      console::err("serentak monitor: give the monitor FILE (see 'serentak monitor --help')\n");
      return exit_usage;
    }
    return run_monitor(o);
  } catch (const std::invalid_argument& e) {
    console::err("{}: {} (see '{} --help')\n", who, e.what(), who);
    return exit_usage;
  }
}

std::string default_db_path(const std::string& file) {
  std::filesystem::path db = std::filesystem::path(file).replace_extension(".db");
  if (db == std::filesystem::path(file)) db += ".db";  // a monitor file named x.db must not become its own history
  return db.string();
}

}  // namespace serentak::cli
