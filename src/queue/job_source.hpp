#pragma once
// The work_source of `serentak job work`: a reader thread with its own Redis connection takes
// entries (of one or several items: queue/item_entries.hpp) with XREADGROUP COUNT (new entries) and a
// reclaim script (XAUTOCLAIM of entries idle past the lease; one of several items is split there into
// new entries of one), and fills a small local queue of items; engine workers take from it in next().
// An entry stays held until every one of its items is taken back (take_id).
//
// next() returning nullopt ends an engine run for good, so it does so only when there is nothing
// to hand out right now (the reader's last round found nothing, Redis is down, or stop was set):
// blocking instead would hold the engine worker's thread, and with it the transfers that worker
// has in flight, whose records may be what the job is waiting for. The caller (job_worker) then
// waits with wait_for_work() and starts a new run. Within a run next() only waits for a reader
// round already under way (one round trip).
//
// Thread safety: next(), take_id() and the run controls are called from any thread; queue_mutex_
// guards the queue, the handed-out map and the flags below it. The reader thread owns its
// connection and script runner.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "client/engine/engine.hpp"
#include "core/url_template.hpp"
#include "queue/job_keys.hpp"
#include "queue/outage_reporter.hpp"
#include "queue/redis_connection.hpp"

namespace serentak::queue {

struct job_source_config {
  std::string consumer;                           // host:pid:random
  std::size_t batch = 100;                        // XREADGROUP / XAUTOCLAIM COUNT
  std::size_t high_water = 200;                   // items held locally before reading more
  std::chrono::milliseconds lease{60000};         // idle time after which an entry is reclaimed
  std::chrono::milliseconds reclaim_every{1000};  // how often the reader looks for expired leases
  std::chrono::milliseconds renew_every{20000};   // how often it renews the leases of what it holds
  long long max_deliveries = 5;                   // a delivery beyond this dead-letters the item
  // Records finished and not yet stored (the sink's count; it outlives the source). While there are
  // max_unstored of them (Redis refuses writes: maxmemory, a read-only replica), nothing more is read:
  // the worker must not fetch the whole job into memory.
  const std::atomic<std::size_t>* unstored = nullptr;
  std::size_t max_unstored = 10000;
};

class job_source final : public client::work_source {
 public:
  job_source(const redis_endpoint& endpoint, redis_timeouts timeouts, job_keys keys, job_identity identity,
             url_template urls, job_source_config config, outage_reporter& outages, const std::atomic<bool>* stop);
  ~job_source() override;
  job_source(const job_source&) = delete;
  job_source& operator=(const job_source&) = delete;

  std::optional<client::fetch_request> next() override;

  void begin_run();  // before each run_engine: next() may hand out items again
  // Waits up to timeout for an item to be queued; true when one is.
  bool wait_for_work(std::chrono::milliseconds timeout);
  // Why Redis refuses this worker's reads for good (an ACL without XREADGROUP), "" while it reads.
  // Unlike a refused script it stops nothing at once: what the worker reclaimed is still fetched, and
  // the worker ends with it once it holds nothing (job_worker).
  std::string read_refusal() const;
  // Takes back an item handed out under index (once per hand-out) and calls queue_record with the
  // stream entry ID to acknowledge with its record: "" while other items of that entry are still queued
  // or handed out, the ID for the last one. queue_record runs under queue_mutex_ (it may take the sink's
  // pending_mutex_, never the other way round), so the records of an entry are queued in the order
  // their IDs are taken: the one that acknowledges it after the others, which the sink stores first.
  // false (queue_record not called) when the item was not handed out.
  bool take_id(std::size_t index, const std::function<void(std::string id)>& queue_record);
  // Stops the reader and returns the IDs it still holds (each once): queued and handed out, not taken back.
  std::vector<std::string> stop_and_collect_held();
  // After stop_and_collect_held: entries the reader took from a job that replaced this one and could
  // not hand back yet (Redis down or loading), and that job's identity value, for the caller to
  // release (scripts::release with identity's field and this value).
  struct other_job_entries {
    std::vector<std::string> ids;
    std::string identity_value;
  };
  other_job_entries not_handed_back();

  // What else this worker holds, to renew with the rest: the sink's records finished and not yet
  // stored (their entries are still pending). Called by the reader under queue_mutex_, so clearing it
  // (nullptr) waits for a call under way; clear it before whatever it reads goes.
  using held_ids_fn = std::function<void(std::vector<std::string>&)>;
  void also_renew(held_ids_fn held_elsewhere);

  std::size_t dead_lettered() const { return dead_lettered_.load(); }
  std::size_t reclaimed() const { return reclaimed_.load(); }

 private:
  struct entry {
    std::string id;
    std::size_t index = 0;
    std::string item;
  };
  void read_loop();
  bool read_round(redis_connection& connection, class script_runner& scripts);                  // false on io error
  bool acknowledge_foreign(redis_connection& connection, const std::vector<std::string>& ids);  // false on io
  void enqueue(std::vector<entry> entries);
  // The IDs held (queued, handed out, and what held_elsewhere_ adds), each once; under queue_mutex_.
  std::vector<std::string> held_ids_locked();
  // Whether meta's identity field (HGET's reply) still names this worker's job.
  bool same_job(const redis_result& current) const;
  // The job was deleted (and maybe pushed again): from now on nothing is handed out, so the engine
  // run ends and the main loop sees the job gone. The entries just taken from the new job (whose
  // identity value is new_identity; nullopt: no job) are handed back. false on io error (handed
  // back after reconnecting).
  bool not_this_job(class script_runner& scripts, std::vector<std::string> taken,
                    std::optional<std::string> new_identity);
  bool hand_back(class script_runner& scripts);     // to_hand_back_, through scripts::release; false on io error
  bool renew_leases(class script_runner& scripts);  // of the entries queued and handed out; false on io error

  const redis_endpoint endpoint_;
  const redis_timeouts timeouts_;
  const job_keys keys_;
  const job_identity identity_;
  const url_template urls_;
  const job_source_config config_;
  outage_reporter& outages_;
  const std::atomic<bool>* stop_;

  // The reader's refill mark: it reads again once the queue is down to this many items.
  std::size_t refill_at() const noexcept;

  mutable std::mutex queue_mutex_;         // guards the queue and flags below, down to quit_
  std::condition_variable items_changed_;  // for next() and wait_for_work(): items queued, a round ended, quit
  // For the reader alone, and only when the queue reaches the refill mark (or quit): a wake-up per
  // item handed out was a context switch per item.
  std::condition_variable reader_wake_;
  std::deque<entry> queue_;
  std::unordered_map<std::size_t, std::vector<std::string>> handed_out_;  // index -> entry IDs
  std::unordered_map<std::string, std::size_t> untaken_;                  // entry ID -> its items queued or handed out
  bool drained_ = false;   // the reader's last round found nothing (or Redis is down)
  bool replaced_ = false;  // the job was deleted, maybe pushed again: nothing more is read or handed out
  bool run_over_ = false;  // next() returned nullopt in this run
  std::string read_refusal_;  // XREADGROUP refused for good, until a read succeeds again: read_refusal()
  held_ids_fn held_elsewhere_;
  bool quit_ = false;
  std::string reclaim_cursor_ = "0-0";                    // reader thread only
  std::vector<std::string> to_hand_back_;                 // reader thread only: read from another job,
  std::string new_identity_;                              // reader thread only: whose identity value this is
  std::chrono::steady_clock::time_point next_reclaim_{};  // reader thread only
  std::chrono::steady_clock::time_point next_renew_{};    // reader thread only

  std::atomic<std::size_t> dead_lettered_{0};
  std::atomic<std::size_t> reclaimed_{0};
  std::thread reader_;
};

}  // namespace serentak::queue
