#include "cli/client_command.hpp"

#include <cstdint>
#include <cstdio>
#include <optional>
#include <set>
#include <stdexcept>
#include <system_error>

#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/console.hpp"
#include "cli/every_loop.hpp"
#include "cli/exit_codes.hpp"
#include "cli/failure_report.hpp"
#include "cli/fd_limit.hpp"
#include "cli/option_conventions.hpp"
#include "cli/request_options.hpp"
#include "cli/signal_watch.hpp"
#include "cli/theme_dashboard.hpp"
#include "cli/web_choice.hpp"
#include "client/inputs/item_inputs.hpp"
#include "client/theme_run.hpp"
#include "core/bounded_file.hpp"
#include "core/log_text.hpp"
#include "core/token_bucket.hpp"

namespace serentak::cli {
namespace {

std::string seconds_text(std::chrono::milliseconds ms) { return fmt::format("{}", static_cast<double>(ms.count()) / 1000.0); }

// The results format: --format, else the --out file's extension (.jsonl, .ndjson or .csv; '-',
// stdout, is JSONL). Anything else is refused rather than guessed: `-o x.json` once wrote JSONL.
result_format results_format(const client_options& options) {
  if (!options.format.empty()) return result_format_from_name(options.format).value_or(result_format::jsonl);
  if (options.out_path == "-") return result_format::jsonl;
  std::string_view path = options.out_path;
  for (std::string_view extension : {".jsonl", ".ndjson"}) {
    if (path.size() > extension.size() && path.ends_with(extension)) return result_format::jsonl;
  }
  if (path.size() > 4 && path.ends_with(".csv")) return result_format::csv;
  throw std::invalid_argument("--out '" + escape_for_log(options.out_path) +
                              "': unknown results extension; name it .jsonl, .ndjson or .csv, or give --format jsonl|csv");
}

// Fills the run from the options; throws std::invalid_argument for combinations that make no sense.
client::theme_run_config make_config(const client_command& command, themes::language lang) {
  const client_options& options = command.options;
  client::theme_run_config config;
  config.theme = command.theme;
  config.items = options.items;
  config.input_files = options.input_files;
  config.dedupe = options.dedupe;
  config.base_url = options.base_url;
  config.url_pattern = options.url_template;
  config.items_are_urls = options.items_are_urls;
  config.timeout = seconds_to_ms(options.timeout_s);
  config.connect_timeout = seconds_to_ms(options.connect_timeout_s);
  config.max_body_bytes = options.max_body_bytes;
  config.follow_redirects = options.follow;
  config.request = make_request_spec(options, *command.app);
  config.transport = client::parse_transport_choice(options.transport).value_or(client::transport_choice::automatic);
  config.connection = resolve_connection(options.connection, config.transport);
  config.retry.max_retries = options.retries;
  if (!options.rate.empty()) {
    double rate = 0;
    if (auto problem = check_rate_option("--rate", options.rate, rate)) throw std::invalid_argument(*problem);
    config.rate_per_second = rate;
  }
  config.hosts.max_in_flight = options.per_host;
  config.hosts.adaptive = options.adaptive;
  if (!options.host_rate.empty()) {
    double rate = 0;
    if (auto problem = check_rate_option("--host-rate", options.host_rate, rate)) throw std::invalid_argument(*problem);
    config.hosts.rate_per_second = rate;
  }
  config.hosts.max_pause = config.retry.max_retry_after;
  config.log_enabled = !options.no_log;
  config.log_path = options.log_path;
  config.lang = lang;
  config.concurrency = options.concurrency;
  config.threads = options.threads;
  config.echo_log = options.verbose;
  bool terminal = ::isatty(2) == 1;
  config.progress = (!options.quiet || options.live) && terminal;
  config.live = options.live && terminal;
  config.resume = !options.resume.empty();
  config.resume_missing_only = options.resume == "missing";
  config.force = options.force;
  if (options.force && !config.resume) throw std::invalid_argument("--force needs --resume");
  if (!options.out_path.empty()) {
    config.out_path = options.out_path;
    config.out_format = results_format(options);
  } else if (!options.format.empty()) {
    throw std::invalid_argument("--format needs --out FILE");
  }
  if (options.out_path == "-" && !options.resume.empty()) throw std::invalid_argument("--resume needs --out FILE, not '-' (stdout)");
  if (command.theme->command == "fetch" && options.url_template.empty() && !options.items_are_urls) {
    throw std::invalid_argument("give --url TEMPLATE (with {} for the item) or --urls (each item is a URL)");
  }
  if (!options.url_template.empty() && options.items_are_urls) throw std::invalid_argument("--url and --urls exclude each other");
  if (!options.url_template.empty() && options.url_template.find("{}") == std::string::npos) {
    throw std::invalid_argument("--url '" + escape_for_log(options.url_template) + "' has no {} for the item");
  }
  return config;
}

// The seed's closing lines, on stdout as the seed prints them; on stderr when stdout carries
// machine output (--summary json, -o -), so that output is nothing but itself.
void print_closing_lines(themes::language lang, const std::string& log_name, double seconds, bool log_enabled,
                         bool to_stderr) {
  std::string text;
  if (lang == themes::language::id) {
    if (log_enabled) text += fmt::format("\nLog aktivitas klien disimpan di: {}\n", log_name);
    text += fmt::format("{}Total waktu eksekusi: {:.2f} detik.\n", log_enabled ? "" : "\n", seconds);
  } else {
    if (log_enabled) text += fmt::format("\nClient activity log saved to: {}\n", log_name);
    text += fmt::format("{}Total execution time: {:.2f} seconds.\n", log_enabled ? "" : "\n", seconds);
  }
  to_stderr ? console::err(text) : console::out(text);
}

// --every: which round a report is of, and the ticks skipped so far.
struct round_mark {
  std::size_t round = 0;
  std::uint64_t skipped_ticks = 0;
  std::set<std::string>* notes_said = nullptr;  // the loop's, so each input note is said once
};

// What follows a run (or a round of --every): the closing lines, the summary, notes, the failure
// report and errors. Returns the exit status: signal_status counts after an output error and
// before a compaction error, as documented in docs/cli.md.
int finish_run(const client_command& command, const client::theme_run_config& config,
               const client::theme_run_result& result, themes::language lang, int signal_status, const round_mark* mark) {
  const client_options& options = command.options;
  std::string name(command.theme->command);
  double seconds = std::chrono::duration<double>(result.wall).count();
  bool machine_stdout = options.out_path == "-" || options.summary == "json";
  print_closing_lines(lang, escape_for_log(result.log_path.string()), seconds, config.log_enabled, machine_stdout);
  // After --resume the summary covers the whole results file, with this run's part shown apart.
  const run_summary& whole = result.whole_file ? *result.whole_file : result.summary;
  // -o - streams records on stdout: a summary must not end up among them.
  auto say = [&](std::string_view text) { options.out_path == "-" ? console::err(text) : console::out(text); };
  if (options.summary == "text") {
    std::string text = render_summary_text(whole);
    if (result.whole_file) {
      text += fmt::format("  (the whole results file) this run: {} fetched, {} of them again after a transient failure; "
                          "{} kept from earlier runs, {} damaged records dropped\n",
                          result.summary.items(), result.refetched, result.skipped_done, result.damaged_records);
    }
    if (mark != nullptr) text += fmt::format("  round {}, {} ticks skipped so far\n", mark->round, mark->skipped_ticks);
    say(text);
  }
  if (options.summary == "json") {
    if (result.whole_file) {
      auto j = nlohmann::ordered_json::parse(render_summary_json(whole));
      j["this_run"] = nlohmann::ordered_json::parse(render_summary_json(result.summary));
      j["this_run"]["refetched"] = result.refetched;
      j["this_run"]["kept"] = result.skipped_done;
      j["this_run"]["damaged_dropped"] = result.damaged_records;
      say(j.dump() + "\n");
    } else if (mark != nullptr) {
      // One object per round, one line each: `| jq` reads the stream.
      std::string line = render_summary_json(result.summary);
      line.pop_back();  // the closing brace: two fields join the object as rendered
      say(fmt::format("{},\"round\":{},\"skipped_ticks\":{}}}\n", line, mark->round, mark->skipped_ticks));
    } else {
      say(render_summary_json(result.summary) + "\n");
    }
  }
  if (!result.compaction_error.empty()) {
    console::err("serentak {}: the results file could not be compacted ({}); a further --resume completes it\n", name,
                 escape_for_log(result.compaction_error));
  }
  for (const std::string& note : result.input_notes) {
    if (mark != nullptr && !mark->notes_said->insert(note).second) continue;
    console::err("serentak {}: note: {}\n", name, note);
  }
  if (!options.quiet && ::isatty(2) == 1) {
    failure_report_context report;
    report.lang = lang;
    report.log_name = config.log_enabled ? escape_for_log(result.log_path.string()) : "";
    report.suggest_serve = name != "fetch";
    console::err(render_failure_report(result.summary, result.failures, report));
  }

  if (!result.engine_error.empty()) console::err("serentak {}: {}\n", name, escape_for_log(result.engine_error));
  if (result.log_error != 0 || result.results_error != 0) {
    int err = result.log_error != 0 ? result.log_error : result.results_error;
    console::err("serentak {}: writing the {} failed: {}\n", name, result.log_error != 0 ? "log" : "results",
               std::generic_category().message(err));
    return exit_io_error;
  }
  if (signal_status != 0) return signal_status;
  if (!result.compaction_error.empty()) return exit_io_error;
  return whole.failures() == 0 && result.unread_items == 0 ? exit_ok : exit_items_failed;
}

}  // namespace

std::unique_ptr<client_command> add_theme_command(CLI::App& root, const themes::theme& theme) {
  auto command = std::make_unique<client_command>();
  command->theme = &theme;
  command->app = root.add_subcommand(std::string(theme.command), std::string(theme.summary));
  add_client_options(*command->app, command->options, seconds_text(theme.timeout), theme.log_file, "id");
  accept_durations(*command->app, {"--timeout", "--connect-timeout"});
  return command;
}

std::unique_ptr<client_command> add_fetch_command(CLI::App& root) {
  const themes::theme& theme = themes::fetch_theme();
  auto command = std::make_unique<client_command>();
  command->theme = &theme;
  command->default_lang = "en";
  command->options.summary = "text";  // a bulk run ends with its numbers; the seed commands stay seed-exact
  command->options.base_url.clear();  // no seed server to assume: --urls path items need a --base
  command->app = root.add_subcommand(std::string(theme.command), std::string(theme.summary));
  add_client_options(*command->app, command->options, seconds_text(theme.timeout), theme.log_file, "en");
  accept_durations(*command->app, {"--timeout", "--connect-timeout"});
  // Nothing of the seed in fetch's help: it has no default items and no default server.
  command->app->get_option("items")->description("Items to fetch; '-' reads standard input");
  command->app->get_option("--base")->description("Base URL that --urls items starting with '/' are joined to (default: none)");
  command->app->add_option("--url", command->options.url_template,
                           "URL template; {} is replaced by the percent-encoded item, e.g. 'http://h/p?id={}'");
  command->app->add_flag("--urls", command->options.items_are_urls, "Each item is a whole http(s) URL");
  return command;
}

int run_client_command(const client_command& command) {
  const client_options& options = command.options;
  std::string_view lang_name = options.lang.empty() ? command.default_lang : options.lang;
  themes::language lang = lang_name == "en" ? themes::language::en : themes::language::id;
  std::string name(command.theme->command);

  client::theme_run_config config;
  every_options every;
  std::optional<web_choice> web_wanted;
  try {
    config = make_config(command, lang);
    every = parse_every(options.every, !options.every.empty() || command.app->count("--every") > 0, options.rounds,
                        command.app->count("--rounds") > 0);
    if (every.interval.count() > 0 && config.resume) {
      throw std::invalid_argument("--resume and --every exclude each other: each round appends its records to --out");
    }
    config.repeating = every.interval.count() > 0;
    // A dashboard of one run would show its end only: it lives across the rounds of --every.
    if (command.app->count("--web") > 0 && !config.repeating) throw std::invalid_argument("--web needs --every DURATION");
    web_wanted = web_choice_of(options.web);
  } catch (const file_read_interrupted& e) {  // a stop signal while -d @FIFO or --header-file waited
    console::err("serentak {}: {}\n", name, e.what());
    return pending_stop_status(exit_usage);
  } catch (const std::invalid_argument& e) {
    console::err("serentak {}: {} (see 'serentak {} --help')\n", name, e.what(), name);
    return exit_usage;
  }
  if (config.connection.insecure) {  // once per run, however many requests it skips checks for
    console::err("serentak {}: warning: --insecure: server certificates and host names are not verified\n", name);
  }
  config.failures_kept = name == "health" ? 10000 : 10;  // health's story is which URLs are down: all of them
  if (options.live && !config.live) {
    console::err("serentak {}: --live needs a terminal on stderr; running without the live view\n", name);
  }
  std::size_t fd_limit = raise_fd_limit();
  if (config.concurrency > 0) {
    std::size_t fitting = fitting_concurrency(config.concurrency, fd_limit);
    if (fitting < config.concurrency) {
      console::err("serentak {}: warning: -c {} does not fit the open-file limit {}; using -c {}\n", name,
                 config.concurrency, fd_limit, fitting);
      config.concurrency = fitting;
    }
    reserve_descriptor_table(descriptors_for(config.concurrency));  // before signal_watch's thread
  }

  signal_watch signals;  // before the dashboard's thread, which must not take the signals
  config.stop = &signals.stop_flag();
  std::optional<theme_dashboard> dashboard;  // before the session, whose rounds feed it: it outlives them
  if (web_wanted) {
    try {
      dashboard.emplace(*command.theme, lang, *web_wanted);
    } catch (const std::system_error& e) {  // address in use, not ours
      console::err("serentak {}: --web {}: {}\n", name, escape_for_log(options.web.web), escape_for_log(e.what()));
      return exit_usage;
    } catch (const std::exception& e) {  // out of memory, or a thread that could not start: not the user's doing
      console::err("serentak {}: --web {}: {}\n", name, escape_for_log(options.web.web), escape_for_log(e.what()));
      return exit_io_error;
    }
    config.items_seen = dashboard->sink();
  }
  std::optional<client::theme_session> session;
  try {
    session.emplace(config);
  } catch (const std::invalid_argument& e) {
    console::err("serentak {}: {}\n", name, e.what());
    return exit_usage;
  } catch (const std::system_error& e) {
    console::err("serentak {}: {}\n", name, e.what());
    return exit_usage;
  } catch (const client::input_interrupted& e) {
    console::err("serentak {}: {}\n", name, e.what());
    return signals.interrupted_exit_status();
  }

  if (every.interval.count() == 0) {
    client::theme_run_result result = session->run_round(0);
    session.reset();  // as a single run always has: outputs closed and unlocked before the closing lines
    return finish_run(command, config, result, lang, signals.interrupted_exit_status(), nullptr);
  }
  if (dashboard) {
    // One line, always (even with -q): with port 0 it is the only way to find the dashboard.
    console::err("serentak {}: dashboard on {}\n", name, dashboard->url());
  }
  std::set<std::string> notes_said;  // an input that changed is said once, not every round
  auto report = [&](const client::theme_run_result& result, std::size_t round, std::uint64_t skipped) {
    round_mark mark{round, skipped, &notes_said};
    // The loop owns the signal's status: a round reports only its own (0, 1 or 3).
    return finish_run(command, config, result, lang, 0, &mark);
  };
  const int status = run_every(*session, every, signals, name, lang, report);
  if (dashboard) dashboard->stop();  // open streams end with the run
  return status;
}

}  // namespace serentak::cli
