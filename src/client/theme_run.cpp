#include "client/theme_run.hpp"

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <unordered_set>

#include <fmt/format.h>

#include "client/engine/engine.hpp"
#include "client/inputs/item_inputs.hpp"
#include "client/outputs/progress_line.hpp"
#include "client/outputs/results_file.hpp"
#include "client/inputs/stream_source.hpp"
#include "client/outputs/theme_observer.hpp"
#include "core/message_template.hpp"
#include "core/target_url.hpp"
#include "core/url_template.hpp"
#include "log/event_log.hpp"

namespace serentak::client {
namespace {

constexpr std::size_t default_max_concurrency = 100;

std::string render(std::string_view tmpl, std::string_view name, std::string value) {
  template_context context;
  context.set(name, std::move(value));
  return render_template(tmpl, context);
}

url_template make_urls(const theme_run_config& config) {
  if (auto problem = check_target_url(config.base_url)) throw std::invalid_argument("--base: " + *problem);
  std::string pattern = config.url_pattern.empty() ? std::string(config.theme->url_pattern) : config.url_pattern;
  bool whole = config.items_are_urls || pattern.empty();
  if (!whole && pattern.starts_with("http")) {  // a full URL template (fetch --url) needs no base
    if (auto problem = check_target_url(pattern)) throw std::invalid_argument("--url: " + *problem);
    return url_template("", pattern, false);
  }
  return url_template(config.base_url, pattern, whole);
}

// Every item is checked before anything is sent; returns how many will be fetched.
std::size_t scan(std::vector<input_part>& parts, const theme_run_config& config, const url_template& urls) {
  std::unordered_set<std::uint64_t> seen;  // only with --dedupe, released when the scan ends
  std::size_t unique = 0;
  std::size_t all = scan_inputs(parts, config.max_line_bytes, [&](std::string_view item) {
    if (urls.whole_url()) {
      if (auto problem = check_target_url(urls.expand(item))) throw std::invalid_argument(*problem);
    }
    if (config.dedupe && seen.insert(item_hash(item)).second) ++unique;
  }, config.stop);
  return config.dedupe ? unique : all;
}

std::size_t auto_concurrency(std::size_t items) { return std::clamp<std::size_t>(items, 1, default_max_concurrency); }

}  // namespace

theme_run_result run_theme(const theme_run_config& config) {
  if (config.theme == nullptr) throw std::invalid_argument("no theme given");
  if (config.resume && config.out_path.empty()) throw std::invalid_argument("--resume needs --out FILE");
  const themes::theme& theme = *config.theme;
  theme_run_result result;

  url_template urls = make_urls(config);
  std::vector<std::string> positional = config.items;
  if (positional.empty() && config.input_files.empty()) {
    positional.assign(theme.default_items.begin(), theme.default_items.end());
  }
  for (const std::string& item : positional) {
    if (item != "-") result.items.push_back(item);
  }
  std::vector<input_part> parts = plan_inputs(positional, config.input_files);
  struct closer {
    std::vector<input_part>& parts;
    ~closer() { close_inputs(parts); }
  } close_parts{parts};
  result.total_items = scan(parts, config, urls);

  // Every output is opened before any byte of one is changed, and the results file, the data, is
  // changed last: a bad --log (a missing folder, a full disk) is exit 2 with an earlier run's
  // results, torn last line included, as they were; an --out that cannot be opened leaves an
  // earlier log as it was. One order remains: a results file that opens but then cannot be
  // started (a CSV header on a full disk) is refused after the log has begun.
  std::unique_ptr<results_file> results;
  if (!config.out_path.empty()) results = std::make_unique<results_file>(config.out_path, config.out_format, config.resume);
  result.log_path = config.log_path.empty() ? std::filesystem::path(theme.log_file) : config.log_path;
  log::event_log log = config.log_enabled ? log::event_log::open(result.log_path) : log::event_log();
  log.start(theme.log_title);
  resume_state resumed;
  if (config.resume) resumed = scan_results(config.out_path, config.out_format, result.total_items);
  if (results) results->start();
  // The one writer of stderr while the run draws on it: -v lines and the progress share its lock.
  log::console terminal(2);
  if (config.echo_log) log.echo_to(&terminal);
  const themes::messages& voice = theme.speak(config.lang);
  std::chrono::milliseconds timeout = config.timeout.count() > 0 ? config.timeout : theme.timeout;
  std::size_t to_fetch = result.total_items - std::min(result.total_items, resumed.records);

  log.write("MainClient", render(voice.run_started, "count", std::to_string(to_fetch)));
  auto started = std::chrono::steady_clock::now();

  stream_source source(parts, config.max_line_bytes, urls, config.dedupe, std::move(resumed.done));
  theme_observer observer(theme, config.lang, log, timeout, config.keep_outcomes, result.total_items);
  observer.attach_results(results.get());
  std::unique_ptr<progress_line> progress;
  if (config.progress) {
    progress = std::make_unique<progress_line>(to_fetch, terminal, config.live ? progress_style::screen : progress_style::line,
                                               "serentak " + std::string(theme.command));
  }
  observer.attach_progress(progress.get());
  observer.attach_stop(config.stop);

  engine_config engine;
  engine.threads = config.threads;
  engine.concurrency = config.concurrency > 0 ? config.concurrency : auto_concurrency(to_fetch);
  engine.policy.timeout = timeout;
  engine.policy.connect_timeout = config.connect_timeout;
  engine.policy.max_body_bytes = config.max_body_bytes;
  engine.policy.follow_redirects = config.follow_redirects;
  engine.transport = config.transport;
  engine.retry = config.retry;
  engine.rate_per_second = config.rate_per_second;
  engine_report report = run_engine(engine, source, observer, config.stop);
  progress.reset();

  result.wall = std::chrono::steady_clock::now() - started;
  double seconds = std::chrono::duration<double>(result.wall).count();
  log.write("MainClient", render(voice.run_finished, "seconds", fmt::format("{:.2f}", seconds)));

  result.summary = observer.summary();
  result.summary.wall = result.wall;
  result.outcomes = observer.outcomes();
  result.skipped_done = source.skipped_done();
  result.skipped_duplicates = source.skipped_duplicates();
  result.log_error = log.first_error();
  result.results_error = results ? results->first_error() : 0;
  result.engine_error = report.error;
  return result;
}

}  // namespace serentak::client
