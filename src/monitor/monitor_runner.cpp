#include "monitor/monitor_runner.hpp"

#include <algorithm>
#include <exception>
#include <map>
#include <mutex>
#include <thread>

#include "client/engine/engine.hpp"
#include "monitor/check_source.hpp"
#include "monitor/request_group.hpp"

namespace serentak::monitor {
namespace {

// Past this many transfers in flight a group's one worker would need more descriptors than a
// default limit allows; the CLI raises the limit and may lower -c to fit.
constexpr std::size_t max_group_concurrency = 10000;

// How often run() looks at the caller's stop flag (a plain atomic nobody can wake us for).
constexpr auto stop_poll = std::chrono::milliseconds(20);

}  // namespace

monitor_runner::monitor_runner(const monitor_config& config, monitor_runner_options options)
    : config_(config), options_(std::move(options)) {
  auto store = std::make_unique<history_store>(options_.db_path);
  const std::map<std::string, health_state> saved = store->load_states();
  monitors_.reserve(config_.endpoints.size());
  for (const endpoint_config& endpoint : config_.endpoints) {
    auto it = saved.find(endpoint.name);
    if (it != saved.end()) ++restored_;
    monitors_.emplace_back(endpoint, it != saved.end() ? it->second : health_state{});
  }
  history_writer_options writer;
  writer.keep_checks = options_.keep_checks;
  writer.keep_rollups = options_.keep_rollups;
  history_ = std::make_unique<history_writer>(std::move(store), writer);
}

monitor_runner::~monitor_runner() = default;

monitor_report monitor_runner::run() {
  const std::vector<request_group> groups = group_by_request(config_);
  group_count_ = groups.size();
  const auto ready = std::chrono::steady_clock::now();
  const auto start = std::min(options_.launched.value_or(ready), ready);

  // Sources and observers live here, outliving the engine threads joined below.
  std::vector<std::unique_ptr<check_source>> sources;
  std::vector<std::unique_ptr<check_observer>> observers;
  std::vector<client::engine_config> configs;
  const check_sinks sinks{*history_, options_.log, &options_.on_alert, &options_.on_check, &stopping_};
  for (const request_group& group : groups) {
    client::engine_config engine;
    // One worker per group: a check needs a slot, not a core (10,000 checks a second are a few
    // percent of one), and one worker finishes an endpoint's checks in order on one thread.
    engine.threads = 1;
    const std::size_t wanted = options_.concurrency != 0 ? options_.concurrency : group.endpoints.size();
    engine.concurrency = std::clamp<std::size_t>(wanted, 1, max_group_concurrency);
    engine.policy = policy_for(group, options_.max_body_bytes);
    // A check that passes only after a retry is judged pass_after_retry: degraded, not up.
    engine.retry.max_retries = group.retries;
    configs.push_back(std::move(engine));
    sources.push_back(std::make_unique<check_source>(config_, group.endpoints, start, ready));
    observers.push_back(std::make_unique<check_observer>(*sources.back(), monitors_, sinks));
  }

  {
    std::lock_guard lock(sources_mutex_);
    for (const auto& source : sources) sources_.push_back(source.get());
  }
  std::mutex error_mutex;  // guards engine_error, written by the engine threads
  std::string engine_error;
  std::atomic<std::size_t> engines_running{groups.size()};
  std::atomic<bool> draining{false};  // the sources are draining: an engine ending is the plan
  {
    std::vector<std::jthread> engines;
    engines.reserve(groups.size());
    for (std::size_t g = 0; g < groups.size(); ++g) {
      engines.emplace_back([&, g] {
        struct count_down {
          std::atomic<std::size_t>& running;
          ~count_down() { running.fetch_sub(1); }
        } done{engines_running};
        std::string error;
        try {
          error = client::run_engine(configs[g], *sources[g], *observers[g], &stopping_).error;
        } catch (const std::exception& e) {
          error = e.what();
        }
        // The sources never run dry, so an engine that returns before the stop has failed.
        if (error.empty() && (stopping_.load() || draining.load())) return;
        std::lock_guard lock(error_mutex);
        if (engine_error.empty()) engine_error = error.empty() ? "a check engine ended on its own" : error;
        stopping_.store(true);  // one group cannot run: stop them all rather than monitor half the file
      });
    }
    while (!stopping_.load() && !(options_.stop != nullptr && options_.stop->load())) {
      std::this_thread::sleep_for(stop_poll);
    }
    if (!stopping_.load()) {
      // A signal: the checks in flight finish and are stored (a check started is a result owed),
      // within drain_limit; a reload (request_stop) does not wait.
      draining.store(true);
      for (const auto& source : sources) source->drain();
      const auto deadline = std::chrono::steady_clock::now() + drain_limit;
      while (engines_running.load() > 0 && !stopping_.load() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(stop_poll);
      }
      stopping_.store(true);  // what is still in flight is cancelled
    }
  }  // joins the engines: each ends within ~100 ms of the stop

  {
    std::lock_guard lock(sources_mutex_);
    sources_.clear();  // before the sources go, with this function
  }
  history_->flush();
  history_->close();
  monitor_report report;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const source_counters c = sources[g]->counters();
    report.skipped_busy += c.skipped_busy;
    report.skipped_late += c.skipped_late;
    report.checks += observers[g]->checks();
  }
  report.written = history_->written();
  report.dropped = history_->dropped();
  report.failed_batches = history_->failed_batches();
  report.history_error = history_->last_error();
  report.engine_error = std::move(engine_error);
  return report;
}

source_counters monitor_runner::counters() const {
  std::lock_guard lock(sources_mutex_);
  source_counters total;
  for (const check_source* source : sources_) {
    const source_counters c = source->counters();
    total.started += c.started;
    total.skipped_busy += c.skipped_busy;
    total.skipped_late += c.skipped_late;
    total.rechecks += c.rechecks;
  }
  return total;
}

}  // namespace serentak::monitor
