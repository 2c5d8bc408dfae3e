#pragma once
// The client engine: a few worker threads, each driving its own libcurl multi handle through
// its own epoll instance (curl_multi_socket_action), pull requests from one shared work_source
// and keep at most `concurrency` transfers in flight in total. 5 items are 5 concurrent
// transfers; the same code carries 10,000. Retryable outcomes are tried again after a backoff
// that holds no transfer slot; an optional global rate limit gates every attempt.
//
// Threads: run_engine() blocks until the source is exhausted and every admitted request has
// finished (or stop was requested; a source that is never exhausted, see next_due(), runs until
// then). Shared between workers: the work_source (must be
// thread-safe), the observer (called concurrently from workers), the stop flag and the rate gate
// (which locks itself). Everything else (multi handles, easy handles, buffers, backoff timers,
// random generators) is owned by one worker.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "client/engine/fetch_types.hpp"
#include "client/engine/host_gate.hpp"
#include "core/host_budget.hpp"
#include "client/transport/transport_choice.hpp"
#include "core/retry_policy.hpp"

namespace serentak::client {

// Supplies requests. next() is called concurrently from all workers, only when the caller has a
// free transfer slot; nullopt means exhausted, and once returned it must keep being returned (each
// worker discovers the end on its own). An exception from next() is treated as exhaustion for
// that worker and reported in engine_report::error.
//
// A source that is not exhausted but has nothing to hand out yet (a schedule: the monitor's
// check_scheduler) says so through next_due(), which a worker calls only right after next()
// returned nullopt: nullopt (the default) confirms exhaustion; a time point means "not yet, ask
// again by then". The worker then stays alive, takes nothing more in that round and asks again
// no later than that time, and while idle-but-pending at least every pending_poll (5 ms), so work
// that becomes due earlier (a confirm re-check, a reload) waits at most that long. Sources that
// do not override next_due() behave exactly as before.
class work_source {
 public:
  virtual ~work_source() = default;
  virtual std::optional<fetch_request> next() = 0;
  virtual std::optional<std::chrono::steady_clock::time_point> next_due() { return std::nullopt; }
};

// How long a worker whose source has nothing due yet sleeps at most before asking again.
inline constexpr std::chrono::milliseconds pending_poll{5};

// Receives events from worker threads, concurrently; implementations lock what they share.
// on_start fires once per request, when it is admitted (a transfer slot is free), just before
// its first attempt is sent. on_retry fires after an attempt failed with a retryable outcome and
// attempts are left, before the backoff wait: failed_attempt is that attempt's result
// (attempts = its number, latency = its duration), wait how long until the next attempt may be
// sent (it is then also gated by a free slot and the rate limit). on_finish fires exactly once
// per admitted request, with its final result.
// An exception from on_start fails that request (outcome unexpected, still one on_finish); one
// from on_retry or on_finish is swallowed (the retry or the finish goes ahead) and noted in
// engine_report::error.
class fetch_observer {
 public:
  virtual ~fetch_observer() = default;
  virtual void on_start(const fetch_request& request) = 0;
  virtual void on_retry(const fetch_request& /*request*/, const fetch_result& /*failed_attempt*/,
                        std::chrono::milliseconds /*wait*/) {}
  virtual void on_finish(const fetch_request& request, const fetch_result& result) = 0;
  // Called on a worker's thread once per turn of its loop, after that turn's on_start and
  // on_finish calls and before the worker waits for the network, and once more as the worker
  // ends: an observer that gathers its output per thread writes it here, one write per turn
  // instead of one per event. Must not throw.
  virtual void on_turn_end() noexcept {}
};

struct engine_config {
  unsigned threads = 0;            // worker threads; 0: hardware cores; never more than concurrency
  std::size_t concurrency = 100;   // transfers in flight in total, >= 1; split between the workers
  fetch_policy policy;
  // Which outcomes are tried again and after how long (core/retry_policy.hpp). The default,
  // max_retries 0, never retries. A backoff wait holds no transfer slot; a due retry takes the
  // next free slot of its worker ahead of new items. Retry-After (seconds or HTTP-date) wins over
  // the backoff, capped at retry.max_retry_after.
  retry_policy retry;
  // Attempts per second over all workers, retries included; nullopt: unlimited. > 0.
  std::optional<double> rate_per_second;
  double rate_burst = 1.0;         // attempts that may go at once after an idle spell; >= 1
  // Per-host politeness (core/host_budget.hpp): in-flight cap, rate, AIMD and Retry-After pauses
  // per scheme://host:port, shared by all workers. Default: none.
  host_limits hosts;
  // `job work`: the per-host rate and Retry-After pauses come from this source, shared with the
  // job's other worker processes (hosts then keeps only its in-flight cap). Null for ordinary
  // runs. Not owned; must outlive run_engine.
  host_rate_source* shared_host_rate = nullptr;
  // libcurl, the native HTTP/1.1 transport, or per request (automatic: native for plain http://
  // to a numeric address without a proxy or redirects to follow). Same outcomes either way.
  transport_choice transport = transport_choice::automatic;
};

struct engine_report {
  std::size_t admitted = 0;   // requests taken from the source
  std::size_t finished = 0;   // on_finish calls; == admitted, also when stopped (cancelled ones finish)
  std::chrono::steady_clock::duration wall{};
  std::string error;          // the first failure of the engine itself (source, observer, libcurl);
                              // empty when none. Items it affected also carry it as unexpected.
  std::vector<host_report> hosts;  // per host, when engine_config::hosts limits anything
};

// stop may be null. When *stop becomes true, workers admit nothing more, abort transfers in
// flight and end requests waiting for a retry, within about 100 ms, and report each as finished
// with outcome unexpected ("cancelled").
// Throws std::invalid_argument for a bad config (concurrency 0, timeout <= 0, negative connect
// timeout, max_redirects, max_retries or retry delays, a rate that is not > 0, a burst < 1) and
// std::runtime_error when libcurl or epoll cannot make a worker's event loop, both before any
// request is taken; after that it never throws. Needs a live curl_global.
engine_report run_engine(const engine_config& config, work_source& source, fetch_observer& observer,
                         const std::atomic<bool>* stop = nullptr);

// libcurl's process-wide init/cleanup; create one in main() before any thread starts.
class curl_global {
 public:
  curl_global();
  ~curl_global();
  curl_global(const curl_global&) = delete;
  curl_global& operator=(const curl_global&) = delete;
};

}  // namespace serentak::client
