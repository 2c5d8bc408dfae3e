#include "queue/job_worker.hpp"

#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "client/engine/engine.hpp"
#include "core/header_env.hpp"
#include "core/log_text.hpp"
#include "queue/eviction_check.hpp"
#include "queue/job_admin.hpp"
#include "queue/job_scripts.hpp"
#include "queue/job_sink.hpp"
#include "queue/job_source.hpp"
#include "queue/record_size_limit.hpp"
#include "queue/shared_host_rate.hpp"
#include "queue/stop_deadline.hpp"

namespace serentak::queue {
namespace {

using namespace std::chrono_literals;

// host:pid:random. host:pid alone is not unique: containers on one host's network (Docker's
// --network host, Kubernetes' hostNetwork) share its hostname and each may run its worker as PID 1,
// and two workers under one consumer name would count as one (job status, the live workers of the
// shared host rate) and could each take the other's entries for their own.
std::string default_consumer() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  std::random_device random;
  return fmt::format("{}:{}:{:06x}", host[0] != '\0' ? host : "localhost", ::getpid(), random() & 0xffffffU);
}

bool stopping(const std::atomic<bool>* stop) { return stop != nullptr && stop->load(); }

enum class job_state { running, complete, gone, refused };

// Whether every item has a record (the push finished and the records hash holds that many), or
// the job is gone (deleted, maybe pushed again: another job; or a Redis without persistence
// restarted empty), or Redis refuses to say (an ACL without HLEN or HMGET, a key of another type:
// it will not change by itself, so the worker would never see its job complete; refusal says why).
// nullopt when Redis cannot say now (down, loading, busy with another client's script).
std::optional<job_state> check_job(redis_connection& connection, const job_keys& keys, const job_identity& identity,
                                   std::string& refusal) {
  if (!connection.connected() && connection.connect()) return std::nullopt;
  connection.append({"HMGET", keys.meta, identity.field, "total"});
  connection.append({"HLEN", keys.records});
  auto replies = connection.read_replies();
  for (std::size_t k = 0; k < replies.size(); ++k) {
    const redis_result& r = replies[k];
    if (r.ok()) continue;
    if (!r.error->is_refusal()) return std::nullopt;  // down, loading, busy: it passes
    refusal = "Redis at " + connection.endpoint().display() + " refused " + (k == 0 ? "HMGET" : "HLEN") +
              ", which a worker needs to see its job complete: " + r.error->message;
    return job_state::refused;
  }
  reply_view meta = replies[0].view();
  if (meta[0].is_nil() || meta[0].text() != identity.value) return job_state::gone;
  if (meta[1].is_nil()) return job_state::running;
  return replies[1].view().integer() >= meta[1].integer() ? job_state::complete : job_state::running;
}

// The job's request shape. The bearer token and the headers from the environment are read here,
// from this worker's own environment: the specification holds only the variables' names.
request_spec request_for(const job_spec& spec) {
  request_spec request = request_spec_of(spec);
  if (!spec.bearer_env.empty()) {
    try {
      // The name comes from the spec in Redis, which any Redis client may have written: the error
      // escapes it.
      request.headers.push_back(resolve_bearer_env(spec.bearer_env));
    } catch (const std::invalid_argument& e) {
      throw job_error(std::string("the job sends a bearer token from the environment (--bearer-env at push): ") +
                      e.what() + " here");
    }
  }
  for (const auto& [name, variable] : spec.header_env) {
    try {
      // Both names come from the spec in Redis: resolve_header_env escapes them in its errors.
      request.headers.push_back(resolve_header_env({name, variable}));
    } catch (const std::invalid_argument& e) {
      throw job_error(std::string("the job sends a header from the environment (--header-env at push): ") + e.what() +
                      " here");
    }
    request.redact.push_back(name);
  }
  return request;
}

// How many items the reader may hold that no transfer has started: one waiting item per slot, and
// under --rate at most half a lease's worth at the rate. The worker renews their leases, so they are
// not taken from it while they wait; but while it holds them no other worker can have them.
std::size_t held_before_fetching(std::size_t concurrency, std::optional<double> rate_per_second,
                                 std::chrono::milliseconds lease) {
  std::size_t held = std::max<std::size_t>(1, concurrency);
  if (rate_per_second && *rate_per_second > 0) {
    const double at_rate = *rate_per_second * static_cast<double>(lease.count()) / 1000.0 / 2.0;
    held = std::min(held, static_cast<std::size_t>(std::max(1.0, std::min(at_rate, 1e9))));
  }
  return held;
}

}  // namespace

job_work_report run_job_worker(const job_work_config& config) {
  // Once stopped, Redis I/O may wait 0.5 s more, whatever it waits on: the whole shutdown (flush,
  // hand-back) then ends within about a second even when Redis no longer answers.
  stop_deadline give_up(config.stop, 500ms);
  redis_timeouts timeouts;
  timeouts.give_up = &give_up;
  redis_connection main_connection(config.endpoint, timeouts);
  open_connection(main_connection, &config.loading);
  job_keys keys(config.endpoint.job);
  job_identity identity;
  job_spec spec = load_spec(main_connection, keys, config.endpoint.job, &identity);
  if (config.on_evicting_redis) {
    if (auto policy = evicting_policy(main_connection)) config.on_evicting_redis(*policy);
  }
  url_template urls("", spec.url_template, spec.items_are_urls);

  job_work_report report;
  report.consumer = config.consumer.empty() ? default_consumer() : config.consumer;

  client::engine_config engine;
  engine.threads = config.threads;
  engine.concurrency = config.concurrency;
  engine.policy.timeout = spec.timeout;
  engine.policy.connect_timeout = spec.connect_timeout;
  engine.policy.max_body_bytes = spec.max_body_bytes;
  engine.policy.follow_redirects = spec.follow_redirects;
  engine.retry.max_retries = spec.retries;
  engine.rate_per_second = spec.rate_per_second;
  try {
    engine.policy.request = request_shape::prepare(request_for(spec));
  } catch (const std::invalid_argument& e) {
    throw job_error(std::string("the job's request: ") + e.what());
  }

  job_source_config source_config;
  source_config.consumer = report.consumer;
  source_config.batch = std::clamp<std::size_t>(config.concurrency, 16, 500);
  source_config.lease = config.lease.value_or(default_lease(spec));
  source_config.high_water = held_before_fetching(config.concurrency, spec.rate_per_second, source_config.lease);
  source_config.reclaim_every = std::clamp<std::chrono::milliseconds>(source_config.lease / 4, 100ms, 5000ms);
  source_config.renew_every = std::clamp<std::chrono::milliseconds>(source_config.lease / 3, 100ms, 20000ms);
  source_config.max_deliveries = config.max_deliveries;
  // Declared before the source and the sink, which both use it.
  std::atomic<std::size_t> unstored{0};
  source_config.unstored = &unstored;
  source_config.max_unstored = std::max<std::size_t>(10000, 4 * config.concurrency);

  outage_reporter outages("serentak job work", config.stop);
  job_source source(config.endpoint, timeouts, keys, identity, urls, source_config, outages, config.stop);
  job_sink sink(config.endpoint, timeouts, keys, identity, report.consumer, source, outages, config.stop,
                record_size_limit(main_connection), unstored, engine.retry);
  // Records waiting to be stored (Redis refusing writes) keep their entries too; the guard, destroyed
  // before the sink, takes the sink out of the reader's hands first.
  source.also_renew([&sink](std::vector<std::string>& out) { sink.collect_unstored_ids(out); });
  struct renewal_guard {
    job_source& source;
    ~renewal_guard() { source.also_renew(nullptr); }
  } renewal{source};
  // --host-rate holds for the whole job: the engine's host gate takes its tokens and pauses from
  // the bucket all workers share in Redis, instead of keeping a rate per process.
  std::unique_ptr<shared_host_rate> host_rate;
  if (spec.host_rate_per_second) {
    shared_host_rate_config shared;
    shared.rate_per_second = *spec.host_rate_per_second;
    shared.adaptive = spec.adaptive;
    shared.max_pause = engine.retry.max_retry_after;
    shared.consumer = report.consumer;
    shared.give_up = &give_up;
    shared.identity = identity;
    host_rate = std::make_unique<shared_host_rate>(config.endpoint, keys, shared, outages);
    engine.shared_host_rate = host_rate.get();
  }

  // Each engine run lasts while the source has items at hand; between runs this thread waits for
  // more (new entries, expiring leases, Redis coming back) and ends when every item has a record.
  auto next_check = std::chrono::steady_clock::now();
  std::string read_refusal;
  while (!stopping(config.stop)) {
    if (outages.refused()) {  // a script the worker needs, refused by the reader or the flusher
      report.refusal = outages.refusal();
      break;
    }
    if (std::chrono::steady_clock::now() >= next_check) {
      auto state = check_job(main_connection, keys, identity, report.refusal);
      if (state == job_state::complete) {
        report.complete = true;
        break;
      }
      if (state == job_state::gone) {
        report.gone = true;
        break;
      }
      if (state == job_state::refused) break;
      next_check = std::chrono::steady_clock::now() + 250ms;
    }
    if (!source.wait_for_work(100ms)) {
      // Reads refused for good and nothing left at hand: end with it (once its records are stored,
      // below) rather than wait for ever on a queue only reclaims fill.
      read_refusal = source.read_refusal();
      if (!read_refusal.empty()) break;
      continue;
    }
    source.begin_run();
    client::engine_report run = client::run_engine(engine, source, sink, config.stop);
    if (report.engine_error.empty()) report.engine_error = run.error;
    next_check = std::chrono::steady_clock::now();
  }

  // Stop taking work, store what is final, hand back what is not: within about a second.
  // The grace began when a connection first saw the stop (the flusher looks every 10 ms), so the
  // flush and the hand-back below share what is left of its 0.5 s: plenty for a Redis that answers.
  give_up.passed();
  std::vector<std::string> held = source.stop_and_collect_held();
  report.unsent = sink.finish(stopping(config.stop) ? 600ms : 10s);
  auto other = source.not_handed_back();
  if ((!held.empty() || !other.ids.empty()) && !give_up.passed() &&
      (main_connection.connected() || !main_connection.connect())) {
    // Handed back for the next worker to take at once, unless the job was deleted and pushed again:
    // the same IDs would then name the new job's entries, which its workers hold (scripts::release).
    script_runner scripts(main_connection);
    release_entries(scripts, keys, report.consumer, identity.field, identity.value, held, report.released);
    // What the reader took from a job that replaced this one and could not hand back before it stopped.
    std::size_t to_the_other_job = 0;
    release_entries(scripts, keys, report.consumer, identity.field, other.identity_value, other.ids, to_the_other_job);
  }
  // Best effort: a consumer left behind only shows in `job status` as gone once a lease has passed.
  if (!give_up.passed() && main_connection.connected()) {
    script_runner scripts(main_connection);
    (void)scripts.run(
        scripts::leave_group, {keys.items, keys.meta},
        std::vector<std::string>{std::string(consumer_group), report.consumer, identity.field, identity.value});
  }
  report.finished = sink.finished();
  report.written = sink.written();
  report.refused = sink.refused();
  report.reclaimed = source.reclaimed();
  report.dead_lettered = source.dead_lettered();
  report.record_round_trips = sink.round_trips();
  if (host_rate) report.host_rate_leases = host_rate->leases();
  if (!report.complete && !report.gone && report.refusal.empty() && !stopping(config.stop))
    report.complete = check_job(main_connection, keys, identity, report.refusal) == job_state::complete;
  // The items it reclaimed may have been the job's last: then the refused read cost nothing.
  if (!report.complete && report.refusal.empty()) report.refusal = read_refusal;
  return report;
}

}  // namespace serentak::queue
