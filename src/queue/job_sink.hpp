#pragma once
// The fetch_observer of `serentak job work`: each finished item's record is queued, and a flusher
// thread with its own Redis connection stores a batch with one EVALSHA of record_and_ack (store each
// record unless its item has one, count it, XACK the entry once the last of its items is recorded:
// job_source::take_id), so Redis costs one round trip per batch, not per item.
// A record that cannot be stored (Redis down) stays queued and is sent again after reconnecting;
// the first record winning makes the resend harmless. Items cancelled by a stop are not recorded: the
// worker releases them for others; so is an item whose failure had retries left (under a stop the
// engine settles it as final, which for a job would record a transient failure for good).
// A failed attempt that will be tried again (and one released so) is noted in the job's errors hash
// within 100 ms, through note_failed_attempts (only for an item with no record yet): if no worker
// ever finishes the item, its dead letter says what went wrong last. Best effort: notes a worker
// cannot send (Redis down as it stops, a refusal) are dropped. record_and_ack clears them.
//
// Thread safety: on_start/on_retry/on_finish run on engine threads; pending_mutex_ guards pending_,
// notes_ and quit_. The flusher owns its connection. Counters are atomics.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "client/engine/engine.hpp"
#include "core/retry_policy.hpp"
#include "queue/job_keys.hpp"
#include "queue/job_source.hpp"
#include "queue/outage_reporter.hpp"
#include "queue/redis_connection.hpp"

namespace serentak::queue {

class job_sink final : public client::fetch_observer {
 public:
  // max_record_bytes: a larger record is stored as a short one saying so (queue/record_size_limit).
  // unstored: counts the records queued and not yet stored or refused (the worker's; the source reads
  // it to stop taking items while Redis refuses writes). retry: the job's, to tell a failure the engine
  // settled only because of a stop from a final one.
  job_sink(const redis_endpoint& endpoint, redis_timeouts timeouts, job_keys keys, job_identity identity,
           std::string consumer, job_source& source, outage_reporter& outages, const std::atomic<bool>* stop,
           std::size_t max_record_bytes, std::atomic<std::size_t>& unstored, retry_policy retry);
  ~job_sink() override;
  job_sink(const job_sink&) = delete;
  job_sink& operator=(const job_sink&) = delete;

  void on_start(const client::fetch_request& request) override;
  void on_retry(const client::fetch_request& request, const client::fetch_result& failed_attempt,
                std::chrono::milliseconds wait) override;
  void on_finish(const client::fetch_request& request, const client::fetch_result& result) override;

  // Flushes what is queued, trying for at most `budget`; returns how many records remain unsent.
  std::size_t finish(std::chrono::milliseconds budget);

  // Appends the entry IDs of the records finished and not yet stored (queued, or in the flusher's batch).
  void collect_unstored_ids(std::vector<std::string>& out);

  std::size_t written() const { return written_.load(); }    // records this worker stored first
  std::size_t finished() const { return finished_.load(); }  // items it finished (stored or not)
  std::size_t round_trips() const { return round_trips_.load(); }
  std::size_t refused() const { return refused_.load(); }  // records not stored: the job was gone

 private:
  struct pending_record {
    std::string id;  // the entry to acknowledge with it; "" when another record of the entry will (take_id)
    std::size_t index = 0;
    std::string outcome;
    std::string line;
  };
  using attempt_notes = std::unordered_map<std::size_t, std::string>;  // index -> describe_failed_attempt
  void note(std::size_t index, const client::fetch_result& failed_attempt);
  void flush_loop();
  bool flush_notes(class script_runner& scripts, attempt_notes& notes);
  bool flush_batch(class script_runner& scripts, std::vector<pending_record>& batch);

  const redis_endpoint endpoint_;
  const redis_timeouts timeouts_;
  const job_keys keys_;
  const job_identity identity_;
  const std::string consumer_;
  job_source& source_;
  outage_reporter& outages_;
  const std::atomic<bool>* stop_;
  const std::size_t max_record_bytes_;
  std::atomic<std::size_t>& unstored_;
  const retry_policy retry_;

  std::mutex pending_mutex_;  // guards pending_, notes_, quit_, flush_deadline_, batch_ids_
  std::condition_variable pending_changed_;
  std::vector<pending_record> pending_;
  std::vector<std::string> batch_ids_;  // the entry IDs of the flusher's batch, for collect_unstored_ids
  attempt_notes notes_;  // an item's latest; at most max_notes items: a note is worth less than the memory
  bool quit_ = false;
  std::chrono::steady_clock::time_point flush_deadline_{};  // set by finish(): give up after it
  std::atomic<std::size_t> in_flusher_{0};                  // records taken by the flusher and not yet stored

  std::atomic<std::size_t> written_{0};
  std::atomic<std::size_t> finished_{0};
  std::atomic<std::size_t> round_trips_{0};
  std::atomic<std::size_t> refused_{0};
  std::thread flusher_;
};

}  // namespace serentak::queue
