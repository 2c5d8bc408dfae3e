#include "client/engine/engine.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "client/engine/rate_gate.hpp"
#include "client/engine/worker.hpp"

namespace serentak::client {
namespace {

unsigned worker_count(const engine_config& config) {
  std::size_t wanted = config.threads != 0 ? config.threads : std::max(1U, std::thread::hardware_concurrency());
  return static_cast<unsigned>(std::clamp<std::size_t>(wanted, 1, config.concurrency));
}

void check_config(const engine_config& config) {
  if (config.concurrency == 0) throw std::invalid_argument("engine: concurrency must be at least 1");
  if (config.policy.timeout.count() <= 0) throw std::invalid_argument("engine: timeout must be positive");
  if (config.policy.connect_timeout.count() < 0) {
    throw std::invalid_argument("engine: connect timeout must not be negative");
  }
  if (config.policy.max_redirects < 0) throw std::invalid_argument("engine: max redirects must not be negative");
  const retry_policy& retry = config.retry;
  if (retry.max_retries < 0) throw std::invalid_argument("engine: max retries must not be negative");
  if (retry.base_delay.count() < 0 || retry.max_delay.count() < 0 || retry.max_retry_after.count() < 0) {
    throw std::invalid_argument("engine: retry delays must not be negative");
  }
  if (config.rate_per_second && !(std::isfinite(*config.rate_per_second) && *config.rate_per_second > 0)) {
    throw std::invalid_argument("engine: rate must be a positive number of requests per second");
  }
  if (!(std::isfinite(config.rate_burst) && config.rate_burst >= 1.0)) {
    throw std::invalid_argument("engine: rate burst must be at least 1");
  }
  if (const auto& host_rate = config.hosts.rate_per_second; host_rate && !(std::isfinite(*host_rate) && *host_rate > 0)) {
    throw std::invalid_argument("engine: host rate must be a positive number of requests per second");
  }
}

// Each worker's own generator seed (backoff jitter): from the OS, mixed with the worker's number
// so two workers never share a sequence; the clock if the OS source is unavailable.
std::uint64_t worker_seed(unsigned index) {
  std::uint64_t seed = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  try {
    std::random_device device;
    seed = (static_cast<std::uint64_t>(device()) << 32) ^ device();
  } catch (const std::exception&) {
    // keep the clock's
  }
  return seed ^ (0x9E3779B97F4A7C15ULL * (index + 1));
}

}  // namespace

engine_report run_engine(const engine_config& config, work_source& source, fetch_observer& observer,
                         const std::atomic<bool>* stop) {
  check_config(config);
  const auto started = std::chrono::steady_clock::now();

  // The in-flight budget is split, not shared: worker i owns concurrency / n slots, plus one of
  // the remainder, so the shares sum exactly to concurrency and each is >= 1 (n <= concurrency).
  // Each worker then decides admission alone, with no cross-thread slot counter to contend on and
  // no need to wake another worker's epoll_wait when a slot frees up. The source is shared,
  // so a worker with a free slot always takes the next item: with 5 items, concurrency 5 and
  // 2 workers (3 + 2 slots) all 5 run at once. The cost: a busy worker cannot borrow an idle
  // one's slots, which only matters once the source is nearly drained.
  // Event loops (multi handle + epoll) are made here, on the caller's thread, so a libcurl or
  // epoll failure is a plain exception from run_engine before anything was sent.
  // The rate gate is the one piece of mutable state all workers share; it locks itself.
  std::optional<rate_gate> gate;
  if (config.rate_per_second) gate.emplace(*config.rate_per_second, config.rate_burst);
  // The proxy variables are read once, here, before any worker thread runs. A proxy (given or in
  // the environment) or --http2 is something only curl does: `automatic` then sends all to curl.
  const bool proxy = config.transport == transport_choice::automatic &&
                     (proxy_in_environment() || !config.policy.connection.proxy.empty() || config.policy.connection.http == http_wish::http2);
  std::optional<host_gate> hosts;
  if (config.hosts.any() || config.shared_host_rate != nullptr) hosts.emplace(config.hosts, config.shared_host_rate);
  const worker_context context{config, source, observer, stop, gate ? &*gate : nullptr, hosts ? &*hosts : nullptr, proxy};

  const unsigned workers = worker_count(config);
  std::vector<std::unique_ptr<worker>> pool;
  pool.reserve(workers);
  for (unsigned i = 0; i < workers; ++i) {
    const std::size_t slots = config.concurrency / workers + (i < config.concurrency % workers ? 1 : 0);
    pool.push_back(std::make_unique<worker>(slots, context, worker_seed(i)));
  }

  std::string start_error;
  {
    // Worker 0 runs on the calling thread; the rest get one thread each. jthread joins on every
    // path out of this block, including a failure to start a later thread.
    std::vector<std::jthread> threads;
    threads.reserve(workers - 1);
    for (unsigned i = 1; i < workers; ++i) {
      try {
        threads.emplace_back([w = pool[i].get()] { w->run(); });
      } catch (const std::system_error& e) {
        // Fewer threads, fewer slots; the source is shared, so no item is stranded.
        start_error = std::string("engine: could not start a worker thread: ") + e.what();
        break;
      }
    }
    pool[0]->run();
  }

  // Workers kept their own counts; merged after join (no shared counters on the hot path).
  engine_report report;
  report.error = std::move(start_error);
  for (const auto& w : pool) {
    report.admitted += w->admitted();
    report.finished += w->finished();
    if (report.error.empty()) report.error = w->error();
  }
  if (hosts) report.hosts = hosts->report();
  report.wall = std::chrono::steady_clock::now() - started;
  return report;
}

curl_global::curl_global() {
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw std::runtime_error("curl_global_init failed");
}

curl_global::~curl_global() { curl_global_cleanup(); }

}  // namespace serentak::client
