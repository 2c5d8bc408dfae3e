#pragma once
// The job-wide per-host rate of `job work` (--host-rate, --adaptive given to `job push`): one
// token bucket per host in Redis, shared by every worker process of the job, and one pause key
// per host that a Retry-After seen by any worker sets for all (scripts::host_lease, host_push_back).
//
// No Redis round trip per request: a lease thread takes tokens in batches (lease_plan: 100 ms of
// the rate, at least 1) and engine workers spend them from local state in try_take(), which never
// does I/O. Leased tokens not spent within lease_plan::valid are given back with the next lease.
// A worker that sees a Retry-After pauses the host here at once and the lease thread writes the
// pause to Redis; the other processes see it at their next lease, at most `valid` later.
// Redis unreachable: try_take falls back to a local bucket at rate / (live workers at the last
// lease), one warning line, and the lease thread reconnects with backoff (docs/distributed.md).
//
// Thread safety: try_take() and finish() from any engine thread; mutex_ guards hosts_ and the
// flags below it, held only for arithmetic. The lease thread alone owns the Redis connection.

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "client/engine/host_rate_source.hpp"
#include "core/token_bucket.hpp"
#include "queue/job_keys.hpp"
#include "queue/job_scripts.hpp"
#include "queue/outage_reporter.hpp"
#include "queue/redis_connection.hpp"

namespace serentak::queue {

struct shared_host_rate_config {
  double rate_per_second = 1.0;   // --host-rate: all of the job's workers together, per host; > 0
  bool adaptive = false;          // --adaptive: AIMD on the shared rate; rate_per_second is its top
  double decrease = 0.9;          // adaptive: rate x this on a 429/503 (once per second or pause)
  double increase_per_s = 1.0;    // adaptive: requests/s added per second of answers at the rate
  double floor_per_second = 0.1;  // adaptive: never below this
  std::chrono::milliseconds max_pause{std::chrono::seconds(120)};  // longest Retry-After honoured
  std::string consumer;                                            // this worker's name, counted among the live workers
  job_identity identity;             // the job's: the scripts touch nothing of another (deleted, maybe pushed again)
  stop_deadline* give_up = nullptr;  // the worker's: the lease thread's reads end once a stop's grace has passed
};

// How tokens are leased, from the rate alone (the arithmetic of docs/distributed.md).
struct lease_plan {
  long long batch = 1;                   // tokens asked per lease: rate x 100 ms, at least 1
  long long burst = 2;                   // the Redis bucket's capacity: 2 x batch
  std::chrono::milliseconds valid{100};  // a lease's tokens are spent within this or given back
};
lease_plan plan_lease(double rate_per_second);

class shared_host_rate final : public client::host_rate_source {
 public:
  // Starts the lease thread (which connects on first need). outages: the worker's reporter.
  shared_host_rate(const redis_endpoint& endpoint, const job_keys& keys, shared_host_rate_config config,
                   outage_reporter& outages);
  ~shared_host_rate() override;  // stops and joins the lease thread
  shared_host_rate(const shared_host_rate&) = delete;
  shared_host_rate& operator=(const shared_host_rate&) = delete;

  bool try_take(const std::string& host, clock::time_point now, clock::duration& wait) override;
  void finish(const std::string& host, clock::time_point now, long http_status,
              std::optional<std::chrono::milliseconds> retry_after) override;

  std::size_t leases() const;  // lease round trips so far (for the worker's summary)

 private:
  struct host_state {
    long long stock = 0;                   // leased tokens not yet spent
    clock::time_point stock_until{};       // ... spendable until then
    clock::time_point next_ask{};          // Redis said no token before this
    clock::time_point paused_until{};      // a Retry-After seen here or through Redis
    bool wanted = false;                   // a worker waits for a lease
    bool asking = false;                   // the lease thread is asking Redis for this host now
    long long returned = 0;                // unspent tokens to give back with the next lease
    long long accepted = 0;                // adaptive: answers other than 429/503 since the last lease
    long long pause_ms = 0;                // a Retry-After to share (0: none)
    bool push_back = false;                // adaptive: a 429/503 to share
    double rate = 0;                       // the shared rate at the last lease; 0: not leased yet
    std::optional<token_bucket> fallback;  // while Redis is unreachable
  };
  struct task {
    std::string host;
    bool lease = false;
    long long returned = 0;
    long long accepted = 0;
    long long pause_ms = 0;
    bool push_back = false;
    // Filled by talk(): the lease's answer.
    bool answered = false;
    long long granted = 0;
    long long wait_ms = 0;
    long long workers = 1;
    double rate = 0;
  };

  void run();
  bool has_work() const;  // mutex_ held
  std::string talk(std::vector<task>& tasks);
  void went_down(const std::string& why);

  const job_keys keys_;
  const shared_host_rate_config config_;
  const lease_plan plan_;
  outage_reporter& outages_;
  redis_connection connection_;  // the lease thread's alone, like runner_
  script_runner runner_;

  mutable std::mutex mutex_;      // guards everything below
  std::condition_variable wake_;  // the lease thread waits on it for work
  std::map<std::string, host_state> hosts_;
  bool stopping_ = false;
  bool down_ = false;           // Redis unreachable: fallback buckets in force
  long long live_workers_ = 1;  // at the last lease (>= 1): the fallback's divisor
  std::size_t leases_ = 0;
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace serentak::queue
