#include "client/theme_run.hpp"

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <optional>

#include <sys/stat.h>

#include <fmt/format.h>

#include "client/engine/engine.hpp"
#include "client/inputs/item_inputs.hpp"
#include "client/outputs/body_digest.hpp"
#include "client/inputs/item_set.hpp"
#include "client/outputs/progress_line.hpp"
#include "client/outputs/results_file.hpp"
#include "client/outputs/resume_index.hpp"
#include "client/inputs/stream_source.hpp"
#include "client/outputs/theme_observer.hpp"
#include "core/distinct_estimate.hpp"
#include "core/log_text.hpp"
#include "core/message_template.hpp"
#include "core/results_spec.hpp"
#include "core/target_url.hpp"
#include "core/url_redaction.hpp"
#include "core/url_template.hpp"
#include "log/console.hpp"
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
  // A template the user gave (fetch --url) is a whole URL, checked as one before anything is sent:
  // '127.0.0.1:5000/p?id={}' is refused, never glued onto --base.
  if (!config.url_pattern.empty() && !config.items_are_urls) {
    if (auto problem = check_target_url(config.url_pattern)) throw std::invalid_argument("--url: " + *problem);
    return url_template("", config.url_pattern, false);
  }
  std::string pattern(config.theme->url_pattern);
  bool whole = config.items_are_urls || pattern.empty();
  // A theme's route needs a base; whole-URL items need one only for items that are paths, and
  // without one (fetch --urls) such an item is refused by the scan as not a URL.
  if (!whole || !config.base_url.empty()) {
    if (auto problem = check_target_url(config.base_url)) throw std::invalid_argument("--base: " + *problem);
  }
  return url_template(config.base_url, pattern, whole);
}

// Every item is checked before anything is sent; returns how many will be fetched. With --dedupe,
// builds distinct (a second read of the inputs) so the stream hands out each item once.
std::size_t scan(std::vector<input_part>& parts, const theme_run_config& config, const url_template& urls,
                 const request_shape& shape, std::optional<item_set>& distinct) {
  std::optional<distinct_estimate> sketch;  // --dedupe: sizes the set for the distinct items, not all
  if (config.dedupe) sketch.emplace();
  std::size_t all = scan_inputs(parts, config.max_line_bytes, [&](std::string_view item) {
    // An item going into a header line must not end it (header injection): refused here, with
    // the rest, before the first request. A secret item is named by its place, never shown.
    if (auto problem = shape.check_item(item)) {
      if (shape.item_is_secret()) throw secret_item_error(*problem);
      throw std::invalid_argument(*problem);
    }
    if (urls.whole_url()) {
      if (auto problem = check_target_url(urls.expand(item))) throw std::invalid_argument(*problem);
    }
    if (sketch) sketch->add(item_hash(item));
  }, config.stop);
  if (!sketch) return all;
  try {
    distinct.emplace(build_item_set(parts, all, sketch->estimate(), config.max_line_bytes, config.stop));
  } catch (const std::runtime_error& e) {
    // The set reads the inputs again: one changed since the check, or a read failed. Still before
    // anything is sent, so a usage error naming the file (exit 2), like the check's own.
    throw std::invalid_argument(e.what());
  }
  return distinct->size();
}

std::size_t auto_concurrency(std::size_t items) { return std::clamp<std::size_t>(items, 1, default_max_concurrency); }

// What the results file records of this run's requests (core/results_spec.hpp).
results_spec spec_for(const theme_run_config& config, const url_template& urls, const request_shape& shape) {
  results_spec spec;
  spec.theme = std::string(config.theme->command);
  spec.method = shape.method();
  for (const header_field& field : config.request.headers) spec.headers.push_back(field.name);  // names, never values
  if (config.request.body) {
    // -d and --json send the same template differently (encoding, Content-Type): both in the digest.
    spec.body_sha256 = sha256_hex((config.request.json ? "json:" : "data:") + *config.request.body);
  }
  // The template as given (expand() would percent-encode its braces).
  std::string pattern = config.url_pattern.empty() ? std::string(config.theme->url_pattern) : config.url_pattern;
  if (urls.whole_url()) {
    spec.url = "{}";
  } else {
    // Redacted like every URL we record: a password or token in the template is sent, never written.
    spec.url = redact_url(pattern.starts_with("http") ? pattern : config.base_url + pattern);
  }
  return spec;
}

// A file named by its option, for "are the same file" messages.
struct named_file {
  std::string option;  // "--input 'x'", "--log 'y'", "standard input"
  dev_t dev = 0;
  ino_t ino = 0;
};

std::optional<named_file> identify(const struct stat& st, std::string option) {
  if (!S_ISREG(st.st_mode)) return std::nullopt;  // /dev/null twice, a terminal: no data to destroy
  return named_file{std::move(option), st.st_dev, st.st_ino};
}

std::string shown(const std::filesystem::path& path) { return "'" + escape_for_log(path.string()) + "'"; }

// No output may be an input or the other output (same device and inode: symlinks and hard links
// count). Checked on the paths before any output is opened, and again on the opened outputs (both
// may have just been created as one file).
void check_distinct(const std::vector<named_file>& inputs, const std::vector<named_file>& outputs) {
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    for (const named_file& input : inputs) {
      if (input.dev == outputs[i].dev && input.ino == outputs[i].ino) {
        throw std::invalid_argument(outputs[i].option + " and " + input.option +
                                    " are the same file; an output must never overwrite an input");
      }
    }
    for (std::size_t j = i + 1; j < outputs.size(); ++j) {
      if (outputs[i].dev == outputs[j].dev && outputs[i].ino == outputs[j].ino) {
        throw std::invalid_argument(outputs[i].option + " and " + outputs[j].option +
                                    " are the same file; give each output its own file");
      }
    }
  }
}

std::vector<named_file> input_files(const std::vector<input_part>& parts) {
  std::vector<named_file> files;
  for (const input_part& part : parts) {
    if (part.what != input_part::kind::file) continue;
    struct stat st {};
    bool is_stdin = part.path == "-";
    if (::fstat(is_stdin ? 0 : part.fd, &st) != 0) continue;
    if (auto file = identify(st, is_stdin ? std::string("standard input") : "--input " + shown(part.path))) {
      files.push_back(*file);
    }
  }
  return files;
}

std::optional<named_file> existing_output(const std::filesystem::path& path, std::string option) {
  struct stat st {};
  // "-" is stdout (-o -), not a file of that name; a path not there yet cannot collide.
  if (path.empty() || path == "-" || ::stat(path.c_str(), &st) != 0) return std::nullopt;
  return identify(st, option + " " + shown(path));
}

std::optional<named_file> open_output(int fd, const std::filesystem::path& path, std::string option) {
  struct stat st {};
  if (fd < 0 || ::fstat(fd, &st) != 0) return std::nullopt;
  return identify(st, option + " " + shown(path));
}

}  // namespace

// Everything a round needs that outlives it; owned by one theme_session, used by one thread.
struct theme_session::state {
  theme_run_config config;
  std::optional<url_template> urls;
  request_shape shape;
  std::vector<input_part> parts;
  theme_run_result base;  // what every round's result starts from: items, total_items, log_path
  std::optional<item_set> distinct;  // --dedupe: each distinct item's first place, read by every round
  std::unique_ptr<results_file> results;
  // The one writer of stderr while a round draws on it: -v lines and the progress share its lock.
  // Declared before the log, which echoes to it: the log must not outlive it.
  log::console terminal{2};
  std::optional<log::event_log> log;
  results_spec spec;
  std::optional<resume_index> resumed;  // --resume: used by the one round, then released

  ~state() { close_inputs(parts); }
};

theme_session::theme_session(const theme_run_config& config) : state_(std::make_unique<state>()) {
  if (config.theme == nullptr) throw std::invalid_argument("no theme given");
  if (config.resume && config.out_path.empty()) throw std::invalid_argument("--resume needs --out FILE");
  state& st = *state_;
  st.config = config;
  const themes::theme& theme = *config.theme;
  theme_run_result& result = st.base;

  st.urls.emplace(make_urls(config));
  st.shape = request_shape::prepare(config.request);
  if (config.resume && st.shape.item_is_secret()) {
    // Secret items are recorded as "***": no record could be matched to its item, and all of them
    // would look like one item to the compaction.
    throw std::invalid_argument("--resume cannot match records whose items are secrets (they are recorded as ***)");
  }
  std::vector<std::string> positional = config.items;
  if (positional.empty() && config.input_files.empty()) {
    positional.assign(theme.default_items.begin(), theme.default_items.end());
  }
  for (const std::string& item : positional) {
    if (item != "-") result.items.push_back(item);
  }
  st.parts = plan_inputs(positional, config.input_files);
  result.total_items = scan(st.parts, config, *st.urls, st.shape, st.distinct);

  // No output may destroy an input or the other output: checked before anything is opened for writing.
  result.log_path = config.log_path.empty() ? std::filesystem::path(theme.log_file) : config.log_path;
  const std::string log_option = config.log_path.empty() ? "the log" : "--log";
  std::vector<named_file> inputs = input_files(st.parts);
  {
    std::vector<named_file> outputs;
    if (auto out = existing_output(config.out_path, "--out")) outputs.push_back(*out);
    if (config.log_enabled) {
      if (auto log_file = existing_output(result.log_path, log_option)) outputs.push_back(*log_file);
    }
    check_distinct(inputs, outputs);
  }

  // Every output is opened (and locked: one run per output file) before any byte of one is
  // changed, and the results file, the data, is changed last: a bad --log (a missing folder, a
  // full disk) is exit 2 with an earlier run's results, torn last line included, as they were; an
  // --out that cannot be opened leaves an earlier log as it was. One order remains: a results
  // file that opens but then cannot be started (a preamble on a full disk) is refused after the
  // log has begun.
  if (!config.out_path.empty()) st.results = std::make_unique<results_file>(config.out_path, config.out_format, config.resume);
  st.log.emplace(config.log_enabled ? log::event_log::open(result.log_path) : log::event_log());
  log::event_log& log = *st.log;
  {
    std::vector<named_file> outputs;
    if (st.results) {
      if (auto out = open_output(st.results->fd(), config.out_path, "--out")) outputs.push_back(*out);
    }
    if (auto log_file = open_output(log.fd(), result.log_path, log_option)) outputs.push_back(*log_file);
    check_distinct(inputs, outputs);
  }
  // One run per output file: locked for the whole run (every round of it).
  if (st.results) st.results->lock();
  log.lock();
  st.spec = spec_for(config, *st.urls, st.shape);
  if (config.resume) {
    st.resumed.emplace(resume_index::scan(st.results->fd(), config.out_path, config.out_format, config.stop));
    if (st.resumed->spec()) {
      if (std::string difference = spec_difference(*st.resumed->spec(), st.spec); !difference.empty() && !config.force) {
        throw std::invalid_argument("--resume: " + shown(config.out_path) + " was made with another request: " +
                                    difference + "; --force resumes it anyway");
      }
    }
  }
  log.start(theme.log_title, config.resume);
  if (st.resumed) st.resumed->cut_torn_line();
  if (st.results) st.results->start(st.spec, config.repeating);
  if (config.echo_log) log.add_sink(&st.terminal);
}

theme_session::~theme_session() = default;

bool theme_session::note(std::string_view message) { return state_->log->write("MainClient", message); }

theme_run_result theme_session::run_round(std::size_t round) {
  state& st = *state_;
  const theme_run_config& config = st.config;
  const themes::theme& theme = *config.theme;
  log::event_log& log = *st.log;
  results_file* results = st.results.get();
  std::optional<resume_index>& resumed = st.resumed;
  theme_run_result result;
  result.total_items = st.base.total_items;
  result.items = st.base.items;
  result.log_path = st.base.log_path;

  const themes::messages& voice = theme.speak(config.lang);
  std::chrono::milliseconds timeout = config.timeout.count() > 0 ? config.timeout : theme.timeout;
  // Known before the stream: items with a record. A resume also fetches those whose record is a
  // transient failure, found while streaming: the progress line's total is then a lower bound.
  std::size_t to_fetch = result.total_items - std::min(result.total_items, resumed ? resumed->records() : 0);

  std::string_view started_line = to_fetch == 1 && !voice.run_started_one.empty() ? voice.run_started_one : voice.run_started;
  log.write("MainClient", render(started_line, "count", std::to_string(to_fetch)));
  auto started = std::chrono::steady_clock::now();

  stream_source source(st.parts, config.max_line_bytes, *st.urls, st.distinct ? &*st.distinct : nullptr);
  if (resumed) source.resume_from(&*resumed, config.out_format, !config.resume_missing_only);
  source.attach_results(results);
  source.attach_stop(config.stop);
  theme_observer observer(theme, config.lang, log, timeout, config.keep_outcomes, result.total_items);
  observer.keep_failures(config.failures_kept);
  observer.attach_results(results);
  observer.set_round(round);
  std::unique_ptr<progress_line> progress;
  if (config.progress) {
    progress = std::make_unique<progress_line>(to_fetch, st.terminal, config.live ? progress_style::screen : progress_style::line,
                                               "serentak " + std::string(theme.command));
  }
  observer.attach_progress(progress.get());
  observer.attach_stop(config.stop);
  observer.attach_item_sink(config.items_seen);
  observer.hide_items(st.shape.item_is_secret());

  engine_config engine;
  engine.threads = config.threads;
  engine.concurrency = config.concurrency > 0 ? config.concurrency : auto_concurrency(config.resume ? result.total_items : to_fetch);
  engine.policy.timeout = timeout;
  engine.policy.connect_timeout = config.connect_timeout;
  engine.policy.max_body_bytes = config.max_body_bytes;
  engine.policy.follow_redirects = config.follow_redirects;
  engine.policy.request = st.shape;  // a copy: the next round needs it again
  engine.policy.connection = config.connection;
  engine.transport = config.transport;
  engine.retry = config.retry;
  engine.rate_per_second = config.rate_per_second;
  engine.hosts = config.hosts;
  engine_report report = run_engine(engine, source, observer, config.stop);
  progress.reset();

  result.wall = std::chrono::steady_clock::now() - started;
  double seconds = std::chrono::duration<double>(result.wall).count();
  log.write("MainClient", render(voice.run_finished, "seconds", fmt::format("{:.2f}", seconds)));

  result.summary = observer.summary();
  result.summary.wall = result.wall;
  for (const host_report& host : report.hosts) {
    result.summary.hosts.push_back(host_summary{host.host, host.counts.attempts, host.counts.seen_429,
                                                host.counts.seen_503, host.counts.pauses, host.final_rate});
  }
  result.outcomes = observer.outcomes();
  for (const input_part& part : st.parts) {
    if (part.changed && part.read_items < part.checked_items) {
      // Items that were checked are gone: they were neither fetched nor recorded (--resume fetches
      // them once the file holds them again), so the run cannot end as if all went well.
      result.unread_items += part.checked_items - part.read_items;
      result.input_notes.push_back(fmt::format("{} shrank after it was checked: {} of its {} items were read, the other "
                                               "{} were not fetched",
                                               input_name(part), part.read_items, part.checked_items,
                                               part.checked_items - part.read_items));
    } else if (part.changed) {
      result.input_notes.push_back(input_name(part) + " grew or changed after it was checked; only the " +
                                   std::to_string(part.checked_items) + " items checked were read, the rest was ignored");
    }
  }
  result.failures = observer.failures();
  result.skipped_done = source.skipped_done();
  result.refetched = source.refetched();
  result.skipped_duplicates = source.skipped_duplicates();
  result.log_error = log.first_error();
  result.results_error = results ? results->first_error() : 0;
  if (resumed) {
    result.resumed_records = resumed->records();
    result.damaged_records = resumed->damaged();
    resumed.reset();  // its table is released before compaction builds its own
    // Stopped by a signal: no compaction, which reads and rewrites the whole file (seconds for a
    // million records). The file holds whole records; the next --resume compacts it.
    if (result.results_error == 0 && !(config.stop != nullptr && config.stop->load())) {
      try {
        result.whole_file = results->finish_resume(st.spec, config.stop);
        result.whole_file->wall = result.wall;
      } catch (const std::system_error& e) {
        result.compaction_error = e.what();
      } catch (const input_interrupted&) {
        // A signal during the compaction: abandoned, the file as the run left it.
      }
    }
  }
  result.engine_error = report.error;
  return result;
}

theme_run_result run_theme(const theme_run_config& config) {
  theme_session session(config);
  return session.run_round(0);
}

}  // namespace serentak::client
