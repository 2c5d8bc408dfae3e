#include "cli/job_command.hpp"

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include <fmt/format.h>

#include "cli/console.hpp"
#include "cli/exit_codes.hpp"
#include "cli/fd_limit.hpp"
#include "cli/option_conventions.hpp"
#include "cli/request_options.hpp"
#include "cli/signal_watch.hpp"
#include "client/inputs/item_inputs.hpp"
#include "core/bounded_file.hpp"
#include "core/header_env.hpp"
#include "core/log_text.hpp"
#include "core/outcome.hpp"
#include "core/target_url.hpp"
#include "core/token_bucket.hpp"
#include "core/url_redaction.hpp"
#include "queue/eviction_check.hpp"
#include "queue/job_admin.hpp"
#include "queue/job_worker.hpp"
#include "queue/redis_connection.hpp"
#include "queue/stop_deadline.hpp"

namespace serentak::cli {
namespace {

using namespace std::chrono_literals;

queue::redis_endpoint parse_target(const job_options& o) {
  std::string problem;
  auto endpoint = queue::parse_redis_endpoint(o.target, problem);
  if (!endpoint) throw queue::job_error(problem);
  if (!endpoint->tls && !(o.redis_cacert.empty() && o.redis_cert.empty() && o.redis_key.empty())) {
    throw queue::job_error("--redis-cacert, --redis-cert and --redis-key are for a rediss:// (TLS) address");
  }
  if (!o.redis_key.empty() && o.redis_cert.empty()) throw queue::job_error("--redis-key needs --redis-cert");
  endpoint->ca_file = o.redis_cacert;
  endpoint->cert_file = o.redis_cert;
  endpoint->key_file = o.redis_key;
  // A password in the address is in the process list for every local user to read (as with
  // redis-cli -a); one in the environment is not (redis-cli's REDISCLI_AUTH).
  if (endpoint->password.empty()) {
    const char* password =
        std::getenv("SERENTAK_REDIS_PASSWORD");  // NOLINT(concurrency-mt-unsafe): read before any thread
    if (password != nullptr) endpoint->password = password;
  }
  return *endpoint;
}

// -X, -H, --header-file, --data, --json, -A, --bearer-env and --header-env into the job's
// specification. The specification is readable by every Redis client: a secret header
// (Authorization, Cookie, ...) is refused, and a bearer token or a header from the environment is
// stored as the name of the variable the workers read.
void add_request_shape(const job_options& o, const CLI::App& push, queue::job_spec& spec) {
  client_options request;
  request.method = o.method;
  request.headers = o.headers;
  request.data = o.data;
  request.json = o.json_body;
  request.user_agent = o.user_agent;
  request.header_files = o.header_files;
  request_spec shape_spec = make_request_spec(request, push);  // checks and reads the files
  const request_shape shape = request_shape::prepare(shape_spec);
  for (const header_field& field : shape_spec.headers) {
    if (shape.is_secret_header(field.name)) {
      throw queue::job_error("a " + escape_for_log(field.name) +
                             " header would be stored in the job's specification, readable by every Redis "
                             "client; pass it by reference with --header-env '" +
                             escape_for_log(field.name) + ": VAR' (or a bearer token with --bearer-env VAR) instead");
    }
    spec.headers.emplace_back(field.name, field.value);
  }
  std::size_t authorizations = 0;
  if (!o.bearer_env.empty()) {
    if (!is_environment_name(o.bearer_env))
      throw queue::job_error("--bearer-env '" + escape_for_log(o.bearer_env) + "' is not an environment variable name");
    spec.bearer_env = o.bearer_env;
    ++authorizations;
  }
  for (const std::string& text : o.header_env) {
    header_from_env header;
    try {
      header = parse_header_env(text);
    } catch (const std::invalid_argument& e) {
      throw queue::job_error(std::string("--header-env: ") + e.what());
    }
    if (is_authorization_header(header.name)) ++authorizations;
    spec.header_env.emplace_back(std::move(header.name), std::move(header.variable));
  }
  if (authorizations > 1) throw queue::job_error("Authorization is given more than once (--bearer-env, --header-env)");
  spec.method = shape_spec.method;
  spec.body = shape_spec.body;
  spec.json_body = shape_spec.json;
  spec.user_agent = shape_spec.user_agent;
}

queue::job_spec make_spec(const job_options& o, const CLI::App& push) {
  queue::job_spec spec;
  if (o.url_template.empty() && !o.items_are_urls) {
    throw queue::job_error("give --url TEMPLATE (with {} for the item) or --urls (each item is a URL)");
  }
  if (!o.url_template.empty() && o.items_are_urls) throw queue::job_error("--url and --urls exclude each other");
  if (!o.url_template.empty()) {
    if (o.url_template.find("{}") == std::string::npos) {
      throw queue::job_error("--url '" + escape_for_log(o.url_template) + "' has no {} for the item");
    }
    if (auto problem = check_target_url(o.url_template)) throw queue::job_error("--url: " + *problem);
    // Everyone who can read the Redis instance can read the specification: no secrets in it.
    if (redact_url(o.url_template) != o.url_template) {
      throw queue::job_error(
          "--url holds a credential (user:password@ or a token parameter); a job's specification is "
          "readable by every Redis client, so it must not hold secrets");
    }
  }
  spec.url_template = o.url_template;
  spec.items_are_urls = o.items_are_urls;
  spec.timeout = seconds_to_ms(o.timeout_s);
  spec.connect_timeout = seconds_to_ms(o.connect_timeout_s);
  spec.retries = o.retries;
  if (!o.rate.empty()) {
    double rate = 0;
    if (auto problem = check_rate_option("--rate", o.rate, rate)) throw queue::job_error(*problem);
    spec.rate_per_second = rate;
  }
  if (!o.host_rate.empty()) {
    double rate = 0;
    if (auto problem = check_rate_option("--host-rate", o.host_rate, rate)) throw queue::job_error(*problem);
    spec.host_rate_per_second = rate;
  }
  spec.adaptive = o.adaptive;
  if (spec.adaptive && !spec.host_rate_per_second) {
    throw queue::job_error("--adaptive needs --host-rate R: the job-wide rate it starts from and never exceeds");
  }
  spec.max_body_bytes = o.max_body_bytes;
  spec.follow_redirects = o.follow;
  add_request_shape(o, push, spec);
  if (!spec.header_env.empty()) spec.version = 3;  // a serentak that would ignore header_env refuses the job
  return queue::normalized(std::move(spec));
}

// A Redis that may evict any key may drop the job's data: said once, and the command goes on.
void warn_eviction(std::string_view command, const queue::redis_endpoint& endpoint, const std::string& policy) {
  console::err(
      "serentak job {}: warning: Redis at {} has a maxmemory limit and maxmemory-policy {}: under memory pressure "
      "it may evict this job's items and records without an error; set maxmemory-policy noeviction\n",
      command, endpoint.display(), escape_for_log(policy));
}

// A command started while Redis is loading its data (just restarted) waits for it, saying so once
// each way, instead of failing on LOADING; Ctrl-C ends the wait.
queue::loading_wait wait_for_loading(std::string_view command, const queue::redis_endpoint& endpoint,
                                     const std::atomic<bool>& stop) {
  queue::loading_wait wait;
  wait.stop = &stop;
  const std::string name(command);
  wait.loading = [name](const std::string& message) {
    console::err("serentak {}: {}; waiting for it to load\n", name, message);  // escaped where made
  };
  wait.loaded = [name, display = endpoint.display()] {
    console::err("serentak {}: Redis at {} has loaded its data\n", name, display);
  };
  return wait;
}

int run_push(const job_options& o, const CLI::App& push, const queue::redis_endpoint& endpoint,
             const signal_watch& signals, queue::redis_timeouts timeouts, const queue::loading_wait& loading) {
  queue::job_spec spec = make_spec(o, push);
  std::vector<client::input_part> parts = client::plan_inputs(o.items, o.input_files);
  struct closer {
    std::vector<client::input_part>& parts;
    ~closer() { client::close_inputs(parts); }
  } close_parts{parts};
  queue::redis_connection connection(endpoint, timeouts);
  queue::open_connection(connection, &loading);
  try {
    queue::push_report report = queue::push_job(connection, endpoint.job, spec, parts, &signals.stop_flag());
    if (report.job_items == report.total) {
      console::out("job {}: {} items, {} added by this push\n", endpoint.job, report.total, report.added);
    } else {
      // Items are identified by their position: a shorter list adds nothing where the job has items.
      console::out("job {}: {} items, {} added by this push; the job has {} items\n", endpoint.job, report.total,
                   report.added, report.job_items);
      if (report.shorter_list_checked)
        console::err("serentak job push: warning: this push's {} items are the first of the job's {}: nothing added\n",
                     report.total, report.job_items);
      else
        console::err(
            "serentak job push: warning: this push has {} items and the job {}: items are identified by their "
            "position, so pushing again adds only items past the job's last; for another list, delete the job or "
            "use another name\n",
            report.total, report.job_items);
    }
    if (auto policy = queue::evicting_policy(connection)) warn_eviction("push", endpoint, *policy);
  } catch (const client::input_interrupted& e) {
    console::err("serentak job push: {}; push again to go on where it stopped\n", e.what());
    return signals.interrupted_exit_status();
  }
  return exit_ok;
}

int run_work(const job_options& o, const queue::redis_endpoint& endpoint) {
  queue::job_work_config config;
  config.endpoint = endpoint;
  std::size_t fd_limit = raise_fd_limit();
  config.concurrency = o.concurrency;
  if (std::size_t fitting = fitting_concurrency(o.concurrency, fd_limit); fitting < o.concurrency) {
    console::err("serentak job work: warning: -c {} does not fit the open-file limit {}; using -c {}\n", o.concurrency,
                 fd_limit, fitting);
    config.concurrency = fitting;
  }
  reserve_descriptor_table(descriptors_for(config.concurrency));  // before signal_watch's thread
  config.threads = o.threads;
  config.max_deliveries = o.max_deliveries;
  if (o.lease_s > 0) config.lease = seconds_to_ms(o.lease_s);
  config.on_evicting_redis = [&endpoint](const std::string& policy) { warn_eviction("work", endpoint, policy); };
  signal_watch signals;
  config.stop = &signals.stop_flag();
  config.loading = wait_for_loading("job work", endpoint, signals.stop_flag());
  queue::job_work_report report;
  try {
    report = queue::run_job_worker(config);
  } catch (const queue::job_error&) {
    // Stopped while starting against a Redis that does not answer: the read gave up, not Redis.
    if (signals.stop_flag().load()) {
      console::err("serentak job work: interrupted\n");
      return signals.interrupted_exit_status();
    }
    throw;
  }
  // Finished items whose record was neither stored now nor left unsent nor refused had one already.
  const std::size_t not_first = report.written + report.unsent + report.refused;
  console::out(
      "worker {}: {} items fetched, {} records stored ({} already recorded, by another worker or an earlier "
      "delivery{}), {} taken over, "
      "{} dead-lettered, {} released, {} record round trips{}{}\n",
      escape_for_log(report.consumer), report.finished, report.written,
      report.finished - std::min(report.finished, not_first),
      report.refused > 0 ? fmt::format(", {} refused: the job is gone", report.refused) : std::string(),
      report.reclaimed, report.dead_lettered, report.released, report.record_round_trips,
      report.host_rate_leases > 0 ? fmt::format(", {} host-rate leases", report.host_rate_leases) : std::string(),
      report.complete ? "; job complete" : "");
  if (report.unsent > 0 && report.refusal.empty()) {  // refused: that line says why
    console::err(
        "serentak job work: {} records could not be stored (or their storing was not confirmed); their items "
        "will be fetched again, and recorded once\n",
        report.unsent);
  }
  if (!report.engine_error.empty()) console::err("serentak job work: {}\n", escape_for_log(report.engine_error));
  if (int status = signals.interrupted_exit_status(); status != 0) return status;
  if (!report.refusal.empty()) {
    console::err("serentak job work: {}\n", report.refusal);  // Redis's text is escaped where read
    return exit_usage;
  }
  if (report.gone) {
    console::err(
        "serentak job work: job '{}' is gone from {} (deleted, maybe pushed again as another job, or "
        "Redis lost its data)\n",
        endpoint.job, endpoint.display());
    return exit_usage;
  }
  return exit_ok;
}

int run_status(const job_options& o, const queue::redis_endpoint& endpoint, const signal_watch& signals,
               queue::redis_timeouts timeouts, const queue::loading_wait& loading) {
  queue::redis_connection connection(endpoint, timeouts);
  queue::open_connection(connection, &loading);
  std::optional<std::size_t> previous;
  std::optional<queue::host_rates_status> previous_host_rates;  // for the observed host rates (--watch)
  auto previous_at = std::chrono::steady_clock::now();
  bool redis_down = false;  // --watch: said once when Redis stops answering, once when it is back
  for (;;) {
    std::optional<queue::job_status> read;
    try {
      if (!connection.connected()) queue::open_connection(connection);
      read = queue::read_status(connection, endpoint.job,
                                o.lease_s > 0 ? std::optional(seconds_to_ms(o.lease_s)) : std::nullopt);
    } catch (const queue::job_error& e) {
      // Only an outage (Redis unreachable, or loading its data after a restart) is waited out; a job
      // deleted meanwhile, a refused AUTH or a stop end the watch as they end one status.
      if (o.watch_s <= 0 || !e.outage() || signals.stop_flag().load()) throw;
      if (!redis_down) console::err("serentak job status: {}; trying again every {} s\n", e.what(), o.watch_s);
      redis_down = true;
    }
    if (read && redis_down) {
      console::err("serentak job status: Redis at {} answers again\n", endpoint.display());
      redis_down = false;
    }
    if (read) {
      queue::job_status& status = *read;
      auto now = std::chrono::steady_clock::now();
      std::optional<double> rate;
      if (previous) {
        double seconds = std::chrono::duration<double>(now - previous_at).count();
        if (seconds > 0) rate = static_cast<double>(status.records - std::min(status.records, *previous)) / seconds;
        if (status.host_rates && previous_host_rates)
          queue::fill_observed(*status.host_rates, *previous_host_rates, seconds);
      } else if (status.seconds_since_push > 0 && !(status.total && status.records >= *status.total)) {
        // Since the job was created; none for a finished job, where it would fall on with the clock.
        rate = static_cast<double>(status.records) / status.seconds_since_push;
      }
      previous = status.records;
      previous_host_rates = status.host_rates;
      previous_at = now;
      if (o.json) {
        console::out("{}\n", queue::status_json(status, rate));
      } else {
        // A --watch frame's header and its block in one write: a reader never sees the header alone.
        const std::string text = queue::status_text(status, rate);
        if (o.watch_s > 0) {
          console::out("\n--- job {} ---\n{}", endpoint.job, text);
        } else {
          console::out(text);
        }
      }
    }
    // Whoever read the refreshes has gone (`| head`): nothing more to show.
    if (o.watch_s <= 0 || console::stdout_error() != 0) break;
    auto until = std::chrono::steady_clock::now() + seconds_to_ms(o.watch_s);
    while (std::chrono::steady_clock::now() < until && !signals.stop_flag().load()) std::this_thread::sleep_for(50ms);
    if (signals.stop_flag().load()) return signals.interrupted_exit_status();
  }
  return exit_ok;
}

int run_collect(const job_options& o, const queue::redis_endpoint& endpoint, queue::redis_timeouts timeouts,
                const queue::loading_wait& loading) {
  // '-' is stdout, JSONL unless --format says otherwise, as `fetch --out -`; the summary then goes to stderr.
  const bool to_stdout = o.out_path == "-";
  if (to_stdout && o.resume) throw queue::job_error("--resume needs -o FILE, not '-' (stdout)");
  auto format = !o.format.empty() ? result_format_from_name(o.format)
                : to_stdout       ? std::optional(result_format::jsonl)
                                  : result_format_for_path(o.out_path);
  if (!format) {
    throw queue::job_error("-o: cannot tell the format from '" + escape_for_log(o.out_path) +
                           "'; name it .jsonl or .csv, or give --format");
  }
  queue::redis_connection connection(endpoint, timeouts);
  queue::open_connection(connection, &loading);
  queue::collect_report report = queue::collect_job(connection, endpoint.job, o.out_path, *format, o.resume);
  if (report.reader_left) return exit_io_error;  // as `fetch --out - | head`: nothing to say
  // A job still running (or not yet run) has items without a record: said, so nobody takes the file for
  // the whole result.
  const std::size_t have = report.written + report.skipped;
  const std::string summary = fmt::format(
      "job {}: {} records written to {}{}{}\n", endpoint.job, report.written,
      to_stdout ? std::string("stdout") : escape_for_log(o.out_path),
      report.skipped > 0 ? fmt::format(" ({} already there)", report.skipped) : std::string(),
      have < report.items ? fmt::format("; {} of {} items have no record yet ({} later)", report.items - have,
                                        report.items, to_stdout ? "collect again" : "collect --resume")
                          : std::string());
  if (to_stdout)
    console::err(summary);
  else
    console::out(summary);
  if (report.stale > 0) {
    console::err(
        "serentak job collect: warning: {} of the records already in {} are not the job's now (job retry re-queued "
        "those items and they were fetched again); --resume only adds, so collect to a new file for the latest\n",
        report.stale, escape_for_log(o.out_path));
  }
  return exit_ok;
}

int run_retry(const job_options& o, const queue::redis_endpoint& endpoint, queue::redis_timeouts timeouts,
              const queue::loading_wait& loading) {
  std::vector<std::string> outcomes;
  for (const std::string& list : o.outcomes) {
    std::size_t start = 0;
    while (start <= list.size()) {
      std::size_t comma = list.find(',', start);
      std::string name = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!outcome_from_string(name)) {
        std::string known;
        for (outcome kind : all_outcomes) known += (known.empty() ? "" : ", ") + std::string(to_string(kind));
        throw queue::job_error("--outcome: '" + escape_for_log(name) + "' is not an outcome (" + known + ")");
      }
      outcomes.push_back(name);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  queue::redis_connection connection(endpoint, timeouts);
  queue::open_connection(connection, &loading);
  std::size_t requeued = queue::retry_job(connection, endpoint.job, outcomes);
  console::out("job {}: {} items re-queued\n", endpoint.job, requeued);
  return exit_ok;
}

int run_delete(const queue::redis_endpoint& endpoint, queue::redis_timeouts timeouts,
               const queue::loading_wait& loading) {
  queue::redis_connection connection(endpoint, timeouts);
  queue::open_connection(connection, &loading);
  std::size_t keys = queue::delete_job(connection, endpoint.job);
  console::out("job {}: deleted ({} keys)\n", endpoint.job, keys);
  return exit_ok;
}

void add_target(CLI::App* app, job_options& options) {
  app->add_option("job", options.target,
                  "The job: redis://[user:password@]HOST:PORT/NAME, or rediss:// for TLS (or the password in "
                  "SERENTAK_REDIS_PASSWORD, out of the process list)")
      ->required();
  app->add_option("--redis-cacert", options.redis_cacert,
                  "rediss://: CA certificates (PEM) to verify the server with (default: the system's)");
  app->add_option("--redis-cert", options.redis_cert,
                  "rediss://: client certificate (PEM), for a server with tls-auth-clients");
  app->add_option("--redis-key", options.redis_key,
                  "rediss://: the client certificate's key (default: in --redis-cert)");
}

}  // namespace

std::unique_ptr<job_command> add_job_command(CLI::App& root) {
  auto command = std::make_unique<job_command>();
  job_options& o = command->options;
  command->app = root.add_subcommand("job", "Bulk jobs shared by workers on many machines through Redis Streams");
  command->app->require_subcommand(1, 1);

  command->push =
      command->app->add_subcommand("push", "Store a job's request specification and stream its items into Redis");
  add_target(command->push, o);
  command->push->add_option("items", o.items, "Items; '-' reads standard input");
  command->push->add_option("-i,--input", o.input_files, "File of items, one per line; repeatable; '-' is stdin");
  command->push->add_option("--url", o.url_template, "URL template; {} is the percent-encoded item");
  command->push->add_flag("--urls", o.items_are_urls, "Each item is a whole http(s) URL");
  command->push->add_option("--timeout", o.timeout_s, "Timeout per attempt: 500ms, 5s, 2m, or seconds (default 30s)")
      ->check(CLI::Range(0.001, 86400.0));
  command->push
      ->add_option("--connect-timeout", o.connect_timeout_s,
                   "Connect timeout: 500ms, 5s, or seconds (default: --timeout)")
      ->check(CLI::Range(0.001, 86400.0));
  command->push->add_option("--retries", o.retries, "Extra attempts for transient failures (default 0)")
      ->check(CLI::Range(0, 100));
  command->push->add_option("--rate", o.rate,
                            "At most R attempts per second per worker: R, R/s, R/m or R/h (default: unlimited)");
  command->push
      ->add_option("--max-body", o.max_body_bytes, "Largest response body kept, bytes; suffixes k, m, g (default 8m)")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 34));
  command->push->add_flag("--follow", o.follow, "Follow redirects (at most 5)");
  command->push->add_option("--host-rate", o.host_rate,
                            "At most R attempts per second to each host from all the job's workers together: "
                            "R, R/s, R/m or R/h (default: unlimited); with --adaptive, the starting and highest rate");
  command->push->add_flag("--adaptive", o.adaptive,
                          "Per host, for the whole job: lower the shared rate on 429/503 (x0.9), raise it on other "
                          "answers (+1/s per second); needs --host-rate");
  command->push->add_option("-X,--method", o.method, "HTTP method, a token (default GET; POST when a body is given)");
  command->push
      ->add_option("-H,--header", o.headers,
                   "Request header 'Name: value'; repeatable; {} is the item; stored in Redis, so no "
                   "Authorization, Cookie or X-Api-Key (use --header-env or --bearer-env)")
      ->allow_extra_args(false);
  command->push->add_option("-d,--data", o.data,
                            "Request body: the text itself or @FILE (read at push); {} is the item, as given");
  command->push
      ->add_option("--json", o.json_body,
                   "JSON request body; {} is the item, JSON-escaped; sets Content-Type and Accept")
      ->excludes("--data");
  command->push->add_option("-A,--user-agent", o.user_agent,
                            "User-Agent header (default serentak/<version>; '' sends none)");
  command->push
      ->add_option("--header-file", o.header_files,
                   "File of request headers, 'Name: value' a line, read at push and stored; repeatable")
      ->allow_extra_args(false);
  command->push->add_option("--bearer-env", o.bearer_env,
                            "Workers send 'Authorization: Bearer $VAR' from their own environment; only the "
                            "name VAR is stored");
  command->push
      ->add_option("--header-env", o.header_env,
                   "Request header 'Name: VAR' (X-Api-Key, Cookie, ...): workers send $VAR from their own "
                   "environment; only the two names are stored; repeatable")
      ->allow_extra_args(false);

  command->work = command->app->add_subcommand("work", "Fetch a job's items until every item has a record");
  add_target(command->work, o);
  command->work->add_option("-c,--concurrency", o.concurrency, "Requests in flight in this worker (default 100)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
  command->work->add_option("--threads", o.threads, "Worker threads (default: CPU cores)")->check(CLI::Range(1u, 256u));
  command->work
      ->add_option("--max-deliveries", o.max_deliveries, "Deliveries after which an item is dead-lettered (default 5)")
      ->check(CLI::Range(1LL, 1000LL));
  command->work
      ->add_option("--lease", o.lease_s,
                   "Time after which another worker reclaims an unacknowledged item its worker no longer "
                   "renews (killed, stopped, cut from Redis): 30s, 2m, or seconds; a live worker renews what it "
                   "holds every lease / 3; at least 0.5s (default: 2 x (attempts x --timeout + backoff) + 2s)")
      ->check(CLI::Range(0.5, 864000.0));

  command->status = command->app->add_subcommand("status", "Print a job's totals");
  add_target(command->status, o);
  command->status->add_flag("--json", o.json, "One JSON object per refresh");
  command->status
      ->add_option("--watch", o.watch_s, "Refresh every 2s, 500ms, or N seconds until interrupted (default: once)")
      ->check(CLI::Range(0.1, 3600.0));
  command->status
      ->add_option("--lease", o.lease_s,
                   "The workers' --lease, which items pending past their lease are counted against (default: "
                   "the job's default lease)")
      ->check(CLI::Range(0.1, 864000.0));

  command->collect = command->app->add_subcommand("collect", "Write exactly one record per item to a file");
  add_target(command->collect, o);
  // Required, checked in run_job_command: CLI11's ->required() is checked before --config is applied.
  command->collect->add_option("-o,--out", o.out_path, "FILE.jsonl or FILE.csv (required)");
  command->collect->add_option("--format", o.format, "jsonl or csv (default: from the extension)")
      ->check(CLI::IsMember({"jsonl", "csv"}));
  command->collect->add_flag("--resume", o.resume, "Keep the records the file has; append the rest");

  command->retry = command->app->add_subcommand("retry", "Re-queue the items whose record has one of the outcomes");
  add_target(command->retry, o);
  command->retry->add_option("--outcome", o.outcomes,
                             "Outcomes, comma-separated (e.g. timeout,connection_error; required)");

  command->remove = command->app->add_subcommand("delete", "Delete a job and its records");
  add_target(command->remove, o);

  // After the options exist: "500ms", "30s", "2m" become seconds before the range checks see them.
  accept_durations(*command->push, {"--timeout", "--connect-timeout"});
  accept_durations(*command->work, {"--lease"});
  accept_durations(*command->status, {"--watch", "--lease"});
  return command;
}

int run_job_command(const job_command& command) {
  const job_options& o = command.options;
  std::string name = "job";
  for (CLI::App* sub : {command.push, command.work, command.status, command.collect, command.retry, command.remove}) {
    if (sub->parsed()) name = "job " + sub->get_name();
  }
  // `job work` watches signals itself (after sizing its descriptor table) and stops within a second.
  // The others stop at once on SIGINT/SIGTERM, even while Redis does not answer: their reads give up
  // as soon as a stop is seen (stop_deadline with no grace).
  std::optional<signal_watch> signals;
  auto interrupted = [&] { return signals && signals->stop_flag().load(); };
  try {
    queue::redis_endpoint endpoint = parse_target(o);
    if (command.collect->parsed() && o.out_path.empty())
      throw queue::job_error("--out is required (on the command line or in --config)");
    if (command.retry->parsed() && o.outcomes.empty())
      throw queue::job_error("--outcome is required (on the command line or in --config)");
    if (command.work->parsed()) return run_work(o, endpoint);
    signals.emplace();
    queue::stop_deadline give_up(&signals->stop_flag(), 0ms);
    queue::redis_timeouts timeouts;
    timeouts.give_up = &give_up;
    const queue::loading_wait loading = wait_for_loading(name, endpoint, signals->stop_flag());
    if (command.push->parsed()) return run_push(o, *command.push, endpoint, *signals, timeouts, loading);
    if (command.status->parsed()) return run_status(o, endpoint, *signals, timeouts, loading);
    if (command.collect->parsed()) return run_collect(o, endpoint, timeouts, loading);
    if (command.retry->parsed()) return run_retry(o, endpoint, timeouts, loading);
    if (command.remove->parsed()) return run_delete(endpoint, timeouts, loading);
  } catch (const queue::job_error& e) {
    if (interrupted()) {
      console::err("serentak {}: interrupted{}\n", name,
                   command.push->parsed() ? "; push again to go on where it stopped"
                   : command.collect->parsed() && o.out_path != "-"
                       ? "; the file holds whole records: collect --resume goes on"
                       : "");
      return signals->interrupted_exit_status();
    }
    console::err("serentak {}: {}\n", name, e.what());
    return exit_usage;
  } catch (const file_read_interrupted& e) {  // a stop signal while -d @FIFO or --header-file waited
    console::err("serentak {}: {}\n", name, e.what());
    // The read saw the signal pending; the watcher may still be taking it (neither pending nor
    // noted for a moment): asked again for up to 100 ms.
    for (int round = 0; round < 100; ++round) {
      if (signals)
        if (int status = signals->interrupted_exit_status(); status != 0) return status;
      if (int status = pending_stop_status(0); status != 0) return status;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return pending_stop_status(exit_usage);
  } catch (const std::invalid_argument& e) {  // an input that cannot be read, a bad option value
    console::err("serentak {}: {}\n", name, e.what());
    return exit_usage;
  } catch (const queue::output_error& e) {
    console::err("serentak {}: {}{}\n", name, e.what(),
                 o.out_path != "-" ? "; the file holds whole records: collect --resume goes on" : "");
    return exit_io_error;
  }
  return exit_usage;
}

}  // namespace serentak::cli
