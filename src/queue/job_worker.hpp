#pragma once
// `serentak job work` end to end: load the job's specification, run the normal engine with a
// job_source (Redis consumer group) and a job_sink (records + XACK in batches) until every item
// has a record or stop is set, then release what it still holds so other workers can take it
// at once. Blocks the calling thread; Redis is talked to from the source's reader thread, the
// sink's flusher thread and this thread (completion checks, the final release), one connection each.

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "queue/job_admin.hpp"
#include "queue/redis_endpoint.hpp"

namespace serentak::queue {

struct job_work_config {
  redis_endpoint endpoint;
  std::size_t concurrency = 100;                   // transfers in flight in this process
  unsigned threads = 0;                            // engine threads; 0: cores
  long long max_deliveries = 5;                    // deliveries before an item is dead-lettered
  std::optional<std::chrono::milliseconds> lease;  // nullopt: default_lease(spec)
  std::string consumer;                            // empty: host:pid:random (6 hex digits)
  const std::atomic<bool>* stop = nullptr;
  // Called once the job is found, when Redis may evict its keys (queue/eviction_check.hpp), with
  // the maxmemory-policy; the caller warns.
  std::function<void(const std::string& policy)> on_evicting_redis;
  // How a Redis still loading its data when the worker starts is waited for (its stop: the stop above).
  loading_wait loading;
};

struct job_work_report {
  std::size_t finished = 0;   // items this worker fetched to a final outcome
  std::size_t written = 0;    // records it stored first (the rest were already recorded)
  std::size_t unsent = 0;     // records it could not store before exiting (fetched again later)
  std::size_t refused = 0;    // records the job refused: it was gone (deleted, maybe pushed again)
  std::size_t released = 0;   // items handed back on stop
  std::size_t reclaimed = 0;  // items it took over from other workers
  std::size_t dead_lettered = 0;
  std::size_t record_round_trips = 0;  // EVALSHA calls storing records
  std::size_t host_rate_leases = 0;    // EVALSHA calls leasing shared host-rate tokens
  bool complete = false;               // every item of the job has a record
  bool gone = false;                   // the job disappeared while working (deleted, or Redis lost its data)
  std::string refusal;                 // why Redis refused to say whether the job is complete (NOPERM, ...)
  std::string consumer;
  std::string engine_error;
};

// Throws job_error for startup problems (exit 2). After the engine starts it does not throw.
job_work_report run_job_worker(const job_work_config& config);

}  // namespace serentak::queue
