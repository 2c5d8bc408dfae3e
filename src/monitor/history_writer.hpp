#pragma once
// Takes check records off the check path and writes them to the history in batched transactions
// on its own thread. Checks only ever offer(): a bounded queue, never a wait on the disk; a full
// queue refuses the record and counts it (dropped()), so a slow disk costs history, not schedule.
// When the wall-clock hour turns, it also rolls up the closed hours and applies retention.
// The queue, the pending states and the counters are guarded by mutex_; the store is touched only
// by the writer thread (after construction).

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "monitor/history_store.hpp"

namespace serentak::monitor {

struct history_writer_options {
  std::size_t queue_capacity = 65536;  // records waiting; at 10,000 checks/s that is 6.5 s of disk stall
  std::size_t max_batch = 8192;        // records per transaction
  bool maintain = true;                // roll up closed hours and apply retention when the hour turns
  std::chrono::milliseconds keep_checks{std::chrono::hours{24 * 7}};                   // --keep
  std::chrono::milliseconds keep_rollups{std::chrono::hours{24 * 90}};                 // --keep-rollups
  std::function<wall_time()> clock = [] { return std::chrono::system_clock::now(); };  // tests pass a fake
};

class history_writer {
 public:
  history_writer(std::unique_ptr<history_store> store, history_writer_options options = {});
  ~history_writer();  // writes what is queued, then stops
  history_writer(const history_writer&) = delete;
  history_writer& operator=(const history_writer&) = delete;

  // Queues a record; false (and counted as dropped) when the queue is full or the writer stopped.
  bool offer(check_record record);
  // Queues an endpoint's state; only the latest state per endpoint is written.
  void offer_state(const std::string& endpoint, const health_state& state);
  // Returns once everything offered before the call is committed (or failed: see failed_batches()).
  void flush();
  // Writes what is queued and stops the thread; offers after close() are refused.
  void close();

  std::uint64_t written() const;         // records committed
  std::uint64_t dropped() const;         // records refused by a full queue
  std::uint64_t failed_batches() const;  // transactions that failed 3 times (their records are lost)
  std::string last_error() const;

 private:
  void run();
  void maintain_if_hour_turned();  // writer thread only

  mutable std::mutex mutex_;
  std::condition_variable wake_;      // the writer waits for work
  std::condition_variable progress_;  // flush() waits for committed batches
  std::deque<check_record> queue_;
  std::map<std::string, health_state> states_;
  // Records are written in offer order, so "the first n records are done" is one number; states
  // are all taken by each batch. flush() waits on both counts.
  std::uint64_t offered_records_ = 0, done_records_ = 0;
  std::uint64_t offered_states_ = 0, done_states_ = 0;
  std::uint64_t written_ = 0, dropped_ = 0, failed_batches_ = 0;
  std::string last_error_;
  bool stopping_ = false;
  bool closed_ = false;  // the thread has ended: flush() must not wait

  std::unique_ptr<history_store> store_;  // writer thread only
  wall_time maintained_hour_{};           // writer thread only: the hour of the last maintenance
  history_writer_options options_;
  std::thread thread_;
};

}  // namespace serentak::monitor
