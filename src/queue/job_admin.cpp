#include "queue/job_admin.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "client/outputs/results_file.hpp"
#include "core/fnv1a.hpp"
#include "core/log_text.hpp"
#include "core/outcome.hpp"
#include "core/target_url.hpp"
#include "core/url_redaction.hpp"
#include "core/url_template.hpp"
#include "core/utf8.hpp"
#include "log/output_lock.hpp"
#include "queue/item_entries.hpp"
#include "queue/job_scripts.hpp"
#include "queue/pending_items.hpp"

namespace serentak::queue {
namespace {

constexpr std::size_t push_chunk = 1000;          // items per push_items call
constexpr std::size_t max_pending_read = 100000;  // pending entries job status reads back

redis_result must(redis_result result, std::string_view what) {
  if (!result.ok()) {
    const redis_error& e = *result.error;
    throw job_error(std::string(what) + ": " + e.message, e.what == redis_error::kind::io, e.is_loading());
  }
  return result;
}

long long now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::size_t to_size(reply_view v) { return static_cast<std::size_t>(std::max(0LL, v.integer())); }

job_error different_items(const std::string& job_name, std::string_view count) {
  return job_error(
      fmt::format("job '{}' already holds a different item list: its first {} items are not this push's; "
                  "push the same list, or delete the job or use another name",
                  job_name, count));
}

// The push scripts' refusals in words: items that are not those the job already holds
// ("SERENTAK_ITEMS <count>"), or a job changed under the push; any other failure as must() says it.
redis_result must_push(redis_result result, const std::string& job_name, std::string_view what) {
  if (!result.ok() && result.error->message.starts_with("SERENTAK_ITEMS "))
    throw different_items(job_name, result.error->message.substr(15));
  if (!result.ok() && result.error->message.starts_with("SERENTAK_ALIGN ")) {
    throw job_error("another push of job '" + job_name + "' with a list of another length added items at the same " +
                    "time (the job has " + result.error->message.substr(15) +
                    "); nothing of this chunk was added: push again to compare this list with the job's");
  }
  // The scripts' other refusals (another digest, a gap, fewer items than sent) all mean the job under
  // this name changed under the push: deleted, maybe pushed again.
  if (!result.ok() && result.error->message.starts_with("SERENTAK_")) {
    throw job_error("job '" + job_name + "' was deleted (maybe pushed again) during this push; push again");
  }
  return must(std::move(result), what);
}

}  // namespace

namespace {

void open_once(redis_connection& connection) {
  if (auto failed = connection.connect()) throw job_error(failed->message, failed->what == redis_error::kind::io);
  // Streams need Redis >= 5, XAUTOCLAIM >= 6.2; a PING proves the session works after AUTH.
  redis_result ping = connection.command({"PING"});
  if (!ping.ok()) {  // an io failure names the server already; a server's refusal (NOAUTH) does not
    const redis_error& e = *ping.error;
    throw job_error(
        e.what == redis_error::kind::io ? e.message : "Redis at " + connection.endpoint().display() + ": " + e.message,
        e.what == redis_error::kind::io, e.is_loading());
  }
}

}  // namespace

void open_connection(redis_connection& connection, const loading_wait* wait) {
  auto stopped = [&] { return wait->stop != nullptr && wait->stop->load(); };
  bool waiting = false;
  for (;;) {
    try {
      open_once(connection);
      if (waiting && wait->loaded) wait->loaded();
      return;
    } catch (const job_error& e) {
      if (wait == nullptr || !e.loading() || stopped()) throw;
      if (!waiting && wait->loading) wait->loading(e.what());
      waiting = true;
    }
    for (int slice = 0; slice < 5 && !stopped(); ++slice) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

job_spec load_spec(redis_connection& connection, const job_keys& keys, const std::string& job_name,
                   job_identity* identity) {
  redis_result r = must(connection.command({"HMGET", keys.meta, "spec", "instance", "created_ms"}), "reading the job");
  reply_view v = r.view();
  if (v[0].is_nil()) throw job_error("no job '" + job_name + "' at " + connection.endpoint().display());
  std::string problem;
  auto spec = parse_job_spec(v[0].text(), problem);
  if (!spec) throw job_error(problem);
  if (identity != nullptr) {
    if (!v[1].is_nil())
      *identity = {"instance", std::string(v[1].text())};
    else if (!v[2].is_nil())
      *identity = {"created_ms", std::string(v[2].text())};
    else
      throw job_error("job '" + job_name + "' at " + connection.endpoint().display() + " has no created_ms");
  }
  return *spec;
}

push_report push_job(redis_connection& connection, const std::string& job_name, const job_spec& spec,
                     std::vector<client::input_part>& parts, const std::atomic<bool>* stop) {
  url_template urls("", spec.url_template, spec.items_are_urls);
  push_report report;
  const std::size_t max_line = item_line_parser::default_max_line_bytes;
  try {
    const request_shape shape = request_shape::prepare(request_spec_of(spec));
    report.total = client::scan_inputs(
        parts, max_line,
        [&](std::string_view item) {
          // An item going into a header line must not end it (header injection): refused before
          // anything is stored, as fetch does.
          if (auto problem = shape.check_item(item)) throw std::invalid_argument(*problem);
          if (urls.whole_url()) {
            if (auto problem = check_target_url(urls.expand(item))) throw std::invalid_argument(*problem);
          }
        },
        stop);
  } catch (const std::invalid_argument& e) {
    throw job_error(e.what());
  }

  job_keys keys(job_name);
  script_runner scripts(connection);
  std::string digest = spec.digest();
  std::size_t per_entry = items_per_entry;  // the job's layout: an older serentak's job keeps an entry per item
  redis_result created =
      scripts.run(scripts::create_job, {keys.meta, keys.items}, {spec.to_json(), digest, std::to_string(now_ms())});
  if (!created.ok() && created.error->message.starts_with("SERENTAK_SPEC")) {
    // Stored by an older serentak, a default may be spelled out there (-X GET): the same request, and the
    // stored specification stays the job's. Otherwise the first field that differs is named.
    job_spec stored = load_spec(connection, keys, job_name);
    const std::string difference = first_difference(normalized(stored), spec);
    if (!difference.empty()) {
      throw job_error("job '" + job_name + "' already exists with a different specification: " + difference +
                      "; delete it or use another name");
    }
    digest = stored.digest();
    per_entry = stored.version >= 2 ? items_per_entry : 1;
    created = must_push(
        scripts.run(scripts::create_job, {keys.meta, keys.items}, {stored.to_json(), digest, std::to_string(now_ms())}),
        job_name, "creating the job");
  }
  // Items below pushed are in the job already: they are read for the digest, not sent again.
  const std::size_t pushed = to_size(must(std::move(created), "creating the job").view());

  client::item_stream stream(parts, max_line);
  std::size_t index = 0;
  items_digest items;
  std::vector<std::string> args;
  auto send = [&] {
    args[3] = items.hex();
    redis_result r =
        must_push(scripts.run(scripts::push_items, {keys.meta, keys.items}, args), job_name, "pushing items");
    report.added += to_size(r.view());
    args.clear();
  };
  while (auto item = stream.next()) {
    if (stop != nullptr && stop->load()) throw client::input_interrupted();
    if (index < pushed) {  // streamed in by an earlier push of the same job: only its digest
      items.add(*item);
      ++index;
      continue;
    }
    if (args.empty()) args = {digest, std::to_string(index), items.hex(), "", std::to_string(per_entry)};
    items.add(*item);
    args.push_back(std::to_string(index));
    args.push_back(std::move(*item));
    ++index;
    if (args.size() >= 5 + 2 * push_chunk) send();
  }
  if (!args.empty()) send();
  // A shorter list adds nothing; whether it is the job's first items or another list (a new day's,
  // shorter) is told by reading the job's items back: another list is refused, as a longer one is.
  if (report.total < pushed) {
    const std::optional<std::string> stored = pushed_items_digest(connection, keys, report.total);
    if (stored && *stored != items.hex()) throw different_items(job_name, std::to_string(report.total));
    report.shorter_list_checked = stored.has_value();
  }
  redis_result finished =
      must_push(scripts.run(scripts::finish_push, {keys.meta}, {digest, std::to_string(report.total), items.hex()}),
                job_name, "finishing the push");
  report.job_items = to_size(finished.view());
  return report;
}

std::string_view to_string(worker_state state) {
  switch (state) {
    case worker_state::active:
      return "active";
    case worker_state::unresponsive:
      return "unresponsive";
    case worker_state::gone:
      break;
  }
  return "gone";
}

job_status read_status(redis_connection& connection, const std::string& job_name,
                       std::optional<std::chrono::milliseconds> lease) {
  job_keys keys(job_name);
  job_spec spec = load_spec(connection, keys, job_name);
  job_status status;
  status.lease = lease.value_or(default_lease(spec));
  connection.append({"HMGET", keys.meta, "pushed", "total", "created_ms", "dead_requeued"});
  connection.append({"HLEN", keys.records});
  connection.append({"HGETALL", keys.outcomes});
  connection.append({"XPENDING", keys.items, consumer_group});
  connection.append({"XLEN", keys.dead});
  connection.append({"HGETALL", keys.workers});
  connection.append({"XINFO", "CONSUMERS", keys.items, consumer_group});
  auto replies = connection.read_replies();
  // A refusal (an ACL without the command, a key of another type) must not read as a count of 0.
  static constexpr std::string_view asked[] = {"HMGET", "HLEN", "HGETALL", "XPENDING", "XLEN", "HGETALL", "XINFO"};
  for (std::size_t k = 0; k < replies.size(); ++k) {
    const redis_result& r = replies[k];
    if (r.ok()) continue;
    const redis_error& e = *r.error;
    if (e.what == redis_error::kind::io) throw job_error(e.message, true);
    if (e.is_loading()) throw job_error("Redis at " + connection.endpoint().display() + ": " + e.message, false, true);
    if (e.is_refusal()) {
      throw job_error("Redis at " + connection.endpoint().display() + " refused " + std::string(asked[k]) +
                      " (job status needs it): " + e.message);
    }
    // BUSY, MASTERDOWN...: it passes (a watch waits it out). A stream's own errors (no group) leave
    // out the figures they would give.
    if (k != 3 && k != 6) throw job_error("Redis at " + connection.endpoint().display() + ": " + e.message, true);
  }
  reply_view meta = replies[0].view();
  status.pushed = to_size(meta[0]);
  if (!meta[1].is_nil()) status.total = to_size(meta[1]);
  if (!meta[2].is_nil()) status.seconds_since_push = static_cast<double>(now_ms() - meta[2].integer()) / 1000.0;
  status.records = to_size(replies[1].view());
  for (outcome o : all_outcomes) status.outcomes[std::string(to_string(o))] = 0;
  reply_view outcomes = replies[2].view();
  for (std::size_t k = 0; k + 1 < outcomes.size(); k += 2)
    status.outcomes[std::string(outcomes[k].text())] = to_size(outcomes[k + 1]);
  std::map<std::string, worker_status> workers;
  reply_view summary = replies[3].view();
  if (replies[3].ok() && summary.size() >= 4 && to_size(summary[0]) > 0) {
    // In items: an entry holds up to items_per_entry of them, some maybe recorded already.
    const pending_items held = read_pending_items(connection, keys, max_pending_read);
    status.in_flight = held.items();
    if (held.truncated) status.in_flight += to_size(summary[0]) - std::min(to_size(summary[0]), held.entries.size());
    for (const pending_entry& e : held.entries) {
      workers[e.consumer].name = e.consumer;
      workers[e.consumer].pending += e.items.size();
      if (e.idle_ms >= status.lease.count()) status.past_lease += e.items.size();
    }
  }
  // Dead letters a retry re-queued since are not dead any more (the stream keeps them all).
  const std::size_t requeued_dead = meta[3].is_nil() ? 0 : meta[3].whole_number().value_or(0);
  status.dead = to_size(replies[4].view());
  status.dead -= std::min(status.dead, requeued_dead);
  reply_view done_by = replies[5].view();
  for (std::size_t k = 0; k + 1 < done_by.size(); k += 2) {
    std::string name(done_by[k].text());
    workers[name].name = name;
    workers[name].records = to_size(done_by[k + 1]);
  }
  // XINFO CONSUMERS: [[name, N, pending, N, idle, ms, ...], ...], as flat field-value pairs.
  if (replies[6].ok() && replies[6].view().is_array()) {
    reply_view consumers = replies[6].view();
    for (std::size_t c = 0; c < consumers.size(); ++c) {
      std::optional<std::string> name;
      std::optional<long long> idle;
      long long entries = 0;
      for (std::size_t f = 0; f + 1 < consumers[c].size(); f += 2) {
        if (consumers[c][f].text() == "name") name = std::string(consumers[c][f + 1].text());
        if (consumers[c][f].text() == "idle") idle = consumers[c][f + 1].integer();
        if (consumers[c][f].text() == "pending") entries = consumers[c][f + 1].integer();
      }
      if (!name || !idle) continue;
      workers[*name].name = *name;
      workers[*name].idle_ms = idle;
      workers[*name].pending_entries = static_cast<std::size_t>(std::max(0LL, entries));
    }
  }
  for (auto& [name, w] : workers) {
    // By the entries pending for it, not the items counted above: those stop at max_pending_read
    // entries, and an entry whose items all have records is still the worker's until acknowledged.
    if (w.idle_ms && *w.idle_ms < status.lease.count())
      w.state = worker_state::active;
    else if (w.idle_ms && w.pending_entries > 0)
      w.state = worker_state::unresponsive;
    status.workers.push_back(w);
  }
  const std::size_t accounted = status.records + status.in_flight;
  status.waiting = status.pushed > accounted ? status.pushed - accounted : 0;
  if (spec.host_rate_per_second) status.host_rates = read_host_rates(connection, keys, spec);
  return status;
}

std::string status_text(const job_status& s, std::optional<double> rate) {
  std::string text =
      fmt::format("items      {}{}\n", s.total ? *s.total : s.pushed, s.total ? "" : " (push not finished)");
  double percent =
      s.pushed > 0 ? 100.0 * static_cast<double>(s.records) / static_cast<double>(s.total.value_or(s.pushed)) : 0.0;
  text += fmt::format("done       {} ({:.1f}%)\n", s.records, percent);
  for (const auto& [name, count] : s.outcomes) text += fmt::format("  {:<17}{}\n", name, count);
  text += fmt::format("waiting    {}\n", s.waiting);
  text += fmt::format("in flight  {}\n", s.in_flight);
  text += fmt::format("past lease {} (lease {:.1f} s)\n", s.past_lease, static_cast<double>(s.lease.count()) / 1000.0);
  text += fmt::format("dead       {}\n", s.dead);
  if (rate) text += fmt::format("rate       {:.1f} items/s\n", *rate);
  // Each worker that is active or still holds items, a line each; those gone (exited, or killed and
  // reclaimed from) in one line, so the list does not grow with every restart of a long job.
  std::size_t active = 0, gone = 0, gone_records = 0;
  std::vector<std::string> names;
  std::size_t width = 30;
  for (const worker_status& w : s.workers) {
    if (w.state == worker_state::active) ++active;
    if (w.state == worker_state::gone) {
      ++gone;
      gone_records += w.records;
      continue;
    }
    // Names are host:pid:random, so a long host name would push its numbers out of line with the rest.
    names.push_back(escape_for_log(w.name));
    width = std::max(width, names.back().size());
  }
  text += fmt::format("workers    {} active", active);
  if (s.workers.size() - active - gone > 0) text += fmt::format(", {} unresponsive", s.workers.size() - active - gone);
  if (gone > 0) text += fmt::format(", {} gone", gone);
  text += "\n";
  std::size_t shown = 0;
  for (const worker_status& w : s.workers) {
    if (w.state == worker_state::gone) continue;
    text +=
        fmt::format("  {:<{}} records {:>9}  in flight {:>6}{}\n", names[shown++], width, w.records, w.pending,
                    w.state == worker_state::unresponsive
                        ? fmt::format("  unresponsive {:.0f} s", static_cast<double>(w.idle_ms.value_or(0)) / 1000.0)
                        : "");
  }
  if (gone > 0)
    text += fmt::format("  {} gone (exited, or silent past the lease and holding nothing): {} records\n", gone,
                        gone_records);
  if (s.host_rates) text += host_rates_text(*s.host_rates);
  return text;
}

std::string status_json(const job_status& s, std::optional<double> rate) {
  nlohmann::json j;
  j["items"] = s.total ? *s.total : s.pushed;
  j["pushed"] = s.pushed;
  j["push_complete"] = s.total.has_value();
  j["done"] = s.records;
  j["outcomes"] = s.outcomes;
  j["waiting"] = s.waiting;
  j["in_flight"] = s.in_flight;
  j["past_lease"] = s.past_lease;
  j["lease_ms"] = s.lease.count();
  j["dead_lettered"] = s.dead;
  j["rate_per_second"] = rate ? nlohmann::json(*rate) : nlohmann::json(nullptr);
  j["workers"] = nlohmann::json::array();
  for (const worker_status& w : s.workers)
    j["workers"].push_back({{"name", w.name},
                            {"records", w.records},
                            {"in_flight", w.pending},
                            {"state", to_string(w.state)},
                            {"idle_ms", w.idle_ms ? nlohmann::json(*w.idle_ms) : nlohmann::json(nullptr)}});
  j["host_rates"] = s.host_rates ? host_rates_json(*s.host_rates) : nlohmann::json(nullptr);
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// A collected line's digest (FNV-1a 64, line ends left out): --resume compares what the file holds
// with what the job holds now.
static std::uint64_t line_digest(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  return fnv1a_64().add(line).value() | 1;  // never 0: 0 marks an index the file does not hold
}

// What an earlier collect left in the file --resume appends to: each index's line digest (0: not in the
// file), and the first records read back whole, to tell the job's file from another's.
struct collected_file {
  std::vector<std::uint64_t> digests;
  struct sample {
    std::size_t line = 0;  // 1-based
    stored_record record;
  };
  std::vector<sample> first_records;  // at most sample_size
  static constexpr std::size_t sample_size = 32;
  off_t complete_end = 0;  // just past the last complete line
  bool torn = false;       // a torn last line follows it (a collect killed mid-write), to be cut
};

// Reads path for collect --resume (below items), changing nothing: a torn last line (a collect killed
// mid-write) is cut only once the file is found to be the job's (cut_torn_line). A missing file holds
// none. A file collect did not write in this format (the other format, a line that is not a record, a
// fetch results file with its preamble, a last line that cannot begin a record) is refused: appending
// would mix files. Ends with job_error "interrupted" once the connection's stop grace has run out
// (looked at every 64 KiB: a file of a million records takes seconds).
static collected_file read_collected(const std::filesystem::path& path, result_format format, std::size_t items,
                                     redis_connection& stopping) {
  collected_file file;
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return file;
    throw job_error(
        fmt::format("cannot open output file '{}': {}", escape_for_log(path.string()), std::strerror(errno)));
  }
  // What --resume reads must end: /dev/full, /dev/zero or a pipe would be read without end (a
  // "line" that grows until memory runs out).
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    throw job_error(fmt::format("--resume: '{}' is not a regular file", escape_for_log(path.string())));
  }
  struct closer {
    int fd;
    ~closer() { ::close(fd); }
  } close_fd{fd};
  std::string header = csv_header();
  header.pop_back();
  const std::string_view format_name = format == result_format::csv ? "CSV" : "JSONL";
  std::string line;
  std::size_t line_number = 0;
  off_t complete_end = 0;  // just past the last complete line
  off_t offset = 0;
  char buf[65536];
  for (;;) {
    if (stopping.giving_up()) throw job_error("interrupted while reading '" + escape_for_log(path.string()) + "'");
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      throw job_error(fmt::format("cannot read '{}': {}", escape_for_log(path.string()), std::strerror(errno)));
    if (n == 0) break;
    for (ssize_t i = 0; i < n; ++i) {
      ++offset;
      if (buf[i] != '\n') {
        line.push_back(buf[i]);
        continue;
      }
      complete_end = offset;
      ++line_number;
      const bool header_line = format == result_format::csv && line_number == 1;
      if (header_line && line != header) {
        throw job_error(
            fmt::format("--resume: '{}' is not a CSV file collect wrote (line 1 is not the CSV header); "
                        "collect to a new file, or give the format it was written in",
                        escape_for_log(path.string())));
      }
      if (!header_line) {
        const std::optional<std::size_t> index = recorded_index(line, format);
        std::optional<stored_record> whole;
        if (index && file.first_records.size() < collected_file::sample_size) whole = parse_record(line, format);
        if (!index || (file.first_records.size() < collected_file::sample_size && !whole)) {
          throw job_error(
              fmt::format("--resume: '{}' is not a {} file collect wrote (line {} is not a record); "
                          "collect to a new file, or give the format it was written in",
                          escape_for_log(path.string()), format_name, line_number));
        }
        if (whole) file.first_records.push_back({line_number, std::move(*whole)});
        if (*index < items) {
          if (*index >= file.digests.size()) file.digests.resize(*index + 1, 0);
          file.digests[*index] = line_digest(line);
        }
      }
      line.clear();
    }
  }
  file.complete_end = complete_end;
  file.torn = offset > complete_end;
  if (file.torn) {
    // What a killed collect leaves: the start of a record (JSONL: `{"index":`; CSV: the index's
    // digits), or of the CSV header when it had written no line yet. Anything else is not its file.
    std::string header_start = csv_header();
    const std::string_view jsonl_start = R"({"index":)";
    const bool record_start = format == result_format::jsonl
                                  ? line.starts_with(jsonl_start) || jsonl_start.starts_with(line)
                                  : (line_number == 0 ? std::string_view(header_start).starts_with(line)
                                                      : std::isdigit(static_cast<unsigned char>(line[0])) != 0);
    if (!record_start) {
      throw job_error(
          fmt::format("--resume: '{}' is not a {} file collect wrote (its last line, unfinished, is not "
                      "the start of a record); collect to a new file, or give the format it was written in",
                      escape_for_log(path.string()), format_name));
    }
  }
  return file;
}

static void cut_torn_line(const std::filesystem::path& path, const collected_file& file) {
  if (file.torn && ::truncate(path.c_str(), file.complete_end) != 0) {
    throw job_error(
        fmt::format("cannot cut the torn last line of '{}': {}", escape_for_log(path.string()), std::strerror(errno)));
  }
}

// The file's first records against the job's records of the same indexes: an item or URL that is not
// the job's is another job's file (or another list's under the name), which --resume must not extend.
// A record re-queued by a retry and fetched again is the same item and URL: not a reason. Where the job
// has no record for the index (not fetched yet, re-queued), the item the push wrote there is compared.
static void check_same_job(redis_connection& connection, const job_keys& keys, const std::filesystem::path& path,
                           result_format format, const collected_file& file, std::size_t items,
                           const url_template& urls) {
  if (file.first_records.empty()) return;
  std::vector<std::string> ask{"HMGET", keys.records};
  for (const auto& s : file.first_records) ask.push_back(std::to_string(s.record.index));
  redis_result r = must(connection.command(ask), "reading records");
  std::vector<std::size_t> unrecorded;
  for (std::size_t k = 0; k < file.first_records.size(); ++k)
    if (k >= r.view().size() || r.view()[k].is_nil()) unrecorded.push_back(file.first_records[k].record.index);
  const std::vector<std::optional<std::string>> pushed = pushed_items_at(connection, keys, unrecorded);
  std::size_t next_pushed = 0;
  for (std::size_t k = 0; k < file.first_records.size(); ++k) {
    const stored_record& line = file.first_records[k].record;
    std::string item, url;
    if (k >= r.view().size() || r.view()[k].is_nil()) {
      // As a record would hold them: redacted, invalid UTF-8 replaced (records are JSON), the URL from
      // the job's template.
      const std::optional<std::string>& at = pushed[next_pushed++];
      if (at) {
        item = stored_field(decode_utf8_replace(redact_item(*at)), format);
        url = stored_field(decode_utf8_replace(redact_url(urls.expand(*at))), format);
      }
      if (!at || line.index >= items) {
        throw job_error(
            fmt::format("--resume: '{}' holds records of another job or item list (line {}: index {}, "
                        "which this job does not have); collect to a new file",
                        escape_for_log(path.string()), file.first_records[k].line, line.index));
      }
    } else {
      auto j = nlohmann::json::parse(r.view()[k].text(), nullptr, false);
      if (j.is_discarded() || !j.is_object()) continue;
      item = stored_field(j.value("item", ""), format);
      url = stored_field(j.value("url", ""), format);
    }
    if (line.item == item && line.url == url) continue;
    throw job_error(fmt::format(
        "--resume: '{}' holds records of another job or item list (line {}, index {}: {} "
        "'{}' there, '{}' in the job); collect to a new file",
        escape_for_log(path.string()), file.first_records[k].line, line.index, line.item == item ? "url" : "item",
        escape_for_log(line.item == item ? line.url : line.item), escape_for_log(line.item == item ? url : item)));
  }
}

// The line collect writes for one record, its line end included; nullopt for a CSV row of a record
// that is not JSON.
static std::optional<std::string> collected_line(std::size_t index, std::string_view line, result_format format) {
  if (format == result_format::jsonl) return std::string(line) + '\n';
  auto j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  std::string item = j.value("item", ""), url = j.value("url", ""), error = j.value("error", "");
  std::string snippet = j.value("snippet", ""), version = j.value("http_version", "");
  result_record record;
  record.index = index;
  record.item = item;
  record.url = url;
  record.kind = outcome_from_string(j.value("outcome", "unexpected")).value_or(outcome::unexpected);
  record.http_status = j.value("status", 0L);
  record.attempts = j.value("attempts", 0);
  // Rounded, not cut: 1.013 ms is 1012.9999... us as a double.
  record.latency = std::chrono::microseconds(std::llround(j.value("latency_ms", 0.0) * 1000.0));
  if (j.contains("data")) record.data = &j["data"];
  record.body = snippet;
  record.error = error;
  record.http_version = version;
  return format_record(record, format);
}

collect_report collect_job(redis_connection& connection, const std::string& job_name, const std::filesystem::path& out,
                           result_format format, bool resume) {
  job_keys keys(job_name);
  const job_spec spec = load_spec(connection, keys, job_name);
  redis_result total = must(connection.command({"HGET", keys.meta, "pushed"}), "reading the job");
  std::size_t items = to_size(total.view());
  collect_report report;
  report.items = items;
  // '-': stdout, through a descriptor of our own (as `fetch --out -`); the caller refuses --resume with it.
  const bool to_stdout = out == "-";
  struct stat existing {};
  // --resume reads the file, which must end: refused before an open for writing could wait on a FIFO.
  if (resume && ::stat(out.c_str(), &existing) == 0 && !S_ISREG(existing.st_mode))
    throw job_error(fmt::format("--resume: '{}' is not a regular file", escape_for_log(out.string())));
  // Opened without O_TRUNC and locked first (log/output_lock, as `fetch --out`): a second collect, or a
  // fetch, writing the same file is refused before it cuts or reads what the first is writing.
  int fd = to_stdout ? ::fcntl(1, F_DUPFD_CLOEXEC, 3)
                     : ::open(out.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (resume ? O_APPEND : 0), 0644);
  if (fd < 0)
    throw job_error(
        fmt::format("cannot open output file '{}': {}", escape_for_log(out.string()), std::strerror(errno)));
  struct closer {
    int fd;
    ~closer() { ::close(fd); }
  } close_fd{fd};
  // A `fetch --resume` that compacts renames a new file over the path: lock_output_at_path opens it again.
  if (!to_stdout) {
    try {
      log::lock_output_at_path(close_fd.fd, out, O_WRONLY | O_CLOEXEC | (resume ? O_APPEND : 0), "output file");
    } catch (const std::invalid_argument& in_use) {
      throw job_error(in_use.what());
    } catch (const std::system_error& failed) {
      throw job_error(failed.what());
    }
    fd = close_fd.fd;
  }
  std::vector<std::uint64_t> done;
  if (resume) {
    collected_file file = read_collected(out, format, items, connection);
    check_same_job(connection, keys, out, format, file, items,
                   url_template("", spec.url_template, spec.items_are_urls));
    cut_torn_line(out, file);
    done = std::move(file.digests);
  } else if (struct stat info{};
             !to_stdout && ::fstat(fd, &info) == 0 && S_ISREG(info.st_mode) && ::ftruncate(fd, 0) != 0) {
    throw job_error(fmt::format("cannot empty '{}': {}", escape_for_log(out.string()), std::strerror(errno)));
  }
  std::string buffer;
  // The buffer holds whole lines; a write that fails part way (a full disk, the file size limit) is cut
  // back to the last whole line it wrote, so the file holds whole records and --resume goes on.
  auto cut_back = [&](std::size_t at) {
    struct stat info {};
    if (to_stdout || ::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) return;
    const off_t end = info.st_size;
    const std::size_t whole = buffer.rfind('\n', at == 0 ? 0 : at - 1);
    const std::size_t keep = at == 0 || whole == std::string::npos ? 0 : whole + 1;
    if (end >= static_cast<off_t>(at)) (void)::ftruncate(fd, end - static_cast<off_t>(at - keep));
  };
  auto write_all = [&] {
    std::size_t at = 0;
    while (at < buffer.size() && !report.reader_left) {
      ssize_t n = ::write(fd, buffer.data() + at, buffer.size() - at);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EPIPE && to_stdout) {  // `| head`: whoever read it has what they wanted
        report.reader_left = true;
        break;
      }
      if (n < 0) {
        const int error = errno;  // what the write said, not the cut
        cut_back(at);
        errno = error;
      }
      if (n < 0)
        throw output_error(fmt::format("writing {} failed: {}",
                                       to_stdout ? std::string("stdout") : "'" + escape_for_log(out.string()) + "'",
                                       std::strerror(errno)));
      at += static_cast<std::size_t>(n);
    }
    buffer.clear();
  };
  if (format == result_format::csv && (to_stdout || ::lseek(fd, 0, SEEK_END) == 0)) buffer += csv_header();
  std::vector<bool> written(items, false);  // indexes written by this collect
  std::string cursor = "0";
  do {
    redis_result r = must(connection.command({"HSCAN", keys.records, cursor, "COUNT", "1000"}), "reading records");
    cursor = std::string(r.view()[0].text());
    reply_view fields = r.view()[1];
    for (std::size_t k = 0; k + 1 < fields.size(); k += 2) {
      // Not a record of one of the items pushed when the collect began (a push still going on adds more,
      // which `--resume` collects later): a field the records hash should not have.
      const std::optional<std::size_t> number = fields[k].whole_number();
      if (!number || *number >= items) continue;
      const std::size_t index = *number;
      // HSCAN may return a field twice (the hash is rehashed during the scan): one line per index.
      if (written[index]) continue;
      written[index] = true;
      std::optional<std::string> text = collected_line(index, fields[k + 1].text(), format);
      if (!text) continue;
      if (index < done.size() && done[index] != 0) {
        ++report.skipped;
        // Another record than the file's: a retry re-queued the item since, and it was fetched again.
        if (done[index] != line_digest(*text)) ++report.stale;
        continue;
      }
      buffer += *text;
      ++report.written;
    }
    if (buffer.size() > (1 << 20)) write_all();
  } while (cursor != "0" && !report.reader_left);
  write_all();
  return report;
}

std::size_t retry_job(redis_connection& connection, const std::string& job_name,
                      const std::vector<std::string>& outcomes) {
  job_keys keys(job_name);
  load_spec(connection, keys, job_name);
  // HSCAN may return a field twice; a set keeps each index once, and ascending order keeps each
  // requeue call's entry IDs ("<generation>-<index>") increasing, as XADD requires.
  std::map<std::size_t, std::string> chosen;
  std::string cursor = "0";
  do {
    redis_result r = must(connection.command({"HSCAN", keys.records, cursor, "COUNT", "1000"}), "reading records");
    cursor = std::string(r.view()[0].text());
    reply_view fields = r.view()[1];
    for (std::size_t k = 0; k + 1 < fields.size(); k += 2) {
      auto j = nlohmann::json::parse(fields[k + 1].text(), nullptr, false);
      if (j.is_discarded()) continue;
      std::string kind = j.value("outcome", "");
      if (std::find(outcomes.begin(), outcomes.end(), kind) != outcomes.end()) chosen[to_size(fields[k])] = kind;
    }
  } while (cursor != "0");
  if (chosen.empty()) return 0;
  script_runner scripts(connection);
  std::size_t requeued = 0;
  std::vector<std::string> args;
  auto send = [&] {
    redis_result r =
        must(scripts.run(scripts::requeue, {keys.meta, keys.records, keys.outcomes, keys.items, keys.errors}, args),
             "re-queueing");
    requeued += to_size(r.view());
    args.clear();
  };
  for (const auto& [index, kind] : chosen) {
    args.push_back(std::to_string(index));
    args.push_back(kind);
    if (args.size() >= 2 * push_chunk) send();
  }
  if (!args.empty()) send();
  return requeued;
}

std::size_t delete_job(redis_connection& connection, const std::string& job_name) {
  job_keys keys(job_name);
  // Whatever is left under the name goes, readable or not: a job whose meta is missing or broken
  // (another program's key, a half-deleted job) must still be deletable.
  redis_result r =
      must(connection.command({"DEL", keys.meta, keys.items, keys.records, keys.outcomes, keys.workers, keys.dead,
                               keys.errors, keys.hostrate, keys.hostrate_workers, keys.hostrate_taken}),
           "deleting the job");
  const std::size_t deleted = to_size(r.view());
  if (deleted == 0) throw job_error("no job '" + job_name + "' at " + connection.endpoint().display());
  return deleted;
}

}  // namespace serentak::queue
