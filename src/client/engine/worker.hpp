#pragma once
// One engine worker: one event loop (a socket_poller shared by its two transports, libcurl's and
// the native one, both behind client/transport/transport.hpp) with at most `slots` transfers in
// flight, taking a request from the shared work_source only when one of its slots is free (and,
// with a rate limit, a token was taken). Failed attempts
// that may be retried wait in its own retry_queue, without a slot, and take the next free slot
// ahead of new items when due.
// Created on the engine's thread, then run() on exactly one worker thread, which alone touches
// the loop, the transfers, the retry queue, the random generator and the counters. Shared
// (thread-safe by contract): the source, the observer, the stop flag, the rate gate.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "client/engine/engine.hpp"
#include "client/engine/rate_gate.hpp"
#include "client/engine/retry_queue.hpp"
#include "client/engine/transfer.hpp"
#include "client/transport/curl/curl_transport.hpp"
#include "client/transport/native/native_client.hpp"
#include "client/transport/socket_poller.hpp"

namespace serentak::client {

// What every worker of one run shares; owned by run_engine, outlives the workers.
struct worker_context {
  const engine_config& config;
  work_source& source;
  fetch_observer& observer;
  const std::atomic<bool>* stop;  // may be null
  rate_gate* gate;                // null: no rate limit
  host_gate* hosts;               // null: no per-host limits
  bool proxy_configured;          // automatic transport: a proxy (option or environment) or --http2 sends all to curl
};

class worker {
 public:
  using clock = std::chrono::steady_clock;

  // Creates the event loop and the transports: throws std::runtime_error if libcurl or epoll cannot. slots >= 1.
  // seed: this worker's random generator (backoff jitter).
  worker(std::size_t slots, const worker_context& context, std::uint64_t seed);
  worker(const worker&) = delete;
  worker& operator=(const worker&) = delete;

  // Runs until the source is exhausted and this worker's requests are done, or stop is set.
  // Never throws: a failure of the worker itself ends its requests as outcome::unexpected.
  void run() noexcept;

  std::size_t admitted() const noexcept { return admitted_; }
  std::size_t finished() const noexcept { return finished_; }
  const std::string& error() const noexcept { return error_; }  // first failure of the worker itself

 private:
  void loop();
  void admit();
  bool take_token();
  bool source_pending();
  std::optional<fetch_request> next_from_source(bool& failed);
  bool admit_to_host(transfer& slot, parked_request& next, clock::time_point now);
  void finish_host(transfer& slot, long http_status, std::optional<std::chrono::milliseconds> retry_after) noexcept;
  void close_connections_as_transfers_end() noexcept;
  void launch(transfer& slot, fetch_request request, int attempt, clock::time_point first_sent);
  void reap();
  void judge(transfer& slot, fetch_result result);
  transport& carrier_of(const transfer& slot) noexcept;
  void park(transfer& slot, fetch_result failed);
  void settle(transfer& slot, fetch_result result) noexcept;
  void report_finish(const fetch_request& request, const fetch_result& result) noexcept;
  void report_start_and_finish(const parked_request& waiting, const std::string& reason) noexcept;
  void end_waiting(const parked_request& waiting, const std::string& reason) noexcept;
  void end_all(const std::string& reason) noexcept;
  clock::time_point wake_deadline(clock::time_point now) const noexcept;
  bool stop_requested() const noexcept;
  transfer& acquire();
  void release(transfer& slot) noexcept;
  void note_error(std::string what) noexcept;

  const worker_context& context_;
  std::size_t slots_;         // this worker's share of engine_config::concurrency
  std::size_t parked_limit_;  // at most this many waiting retries; beyond, no new items are taken
  socket_poller poller_;      // declared first: both transports unregister their sockets on it
  curl_transport curl_;       // declared before pool_: transfers' handles are cleaned up while it lives
  native_client native_;      // the native transport; closes its sockets when destroyed (before curl_)

  // Slots are created lazily (5 items at concurrency 10,000 make 5 transfers) and reused.
  std::vector<std::unique_ptr<transfer>> pool_;  // every transfer made, at most slots_
  std::vector<transfer*> idle_;                  // free slots, reused last-in first-out
  std::size_t in_use_ = 0;                       // slots taken: in the multi handle or being settled
  bool exhausted_ = false;                       // the source said nullopt (or failed)
  std::optional<clock::time_point> source_due_;  // the source has nothing yet, something by then (next_due())

  std::vector<ended_attempt> ended_;            // reap()'s batch, kept for its capacity
  retry_queue parked_;                          // failed attempts waiting for their next one
  retry_queue held_;                            // requests their host's budget refused for now
  bool token_in_hand_ = false;                  // a rate token taken for a request its host then refused
  std::optional<fetch_request> next_in_hand_;   // taken from the source while no rate token was due
  std::optional<clock::time_point> token_due_;  // admission waits for the rate gate until then
  bool admit_more_ = false;                     // admit() stopped at its batch size, not for want of slots
  std::mt19937_64 random_;                      // backoff jitter
  std::uniform_real_distribution<double> unit_{0.0, 1.0};

  std::size_t admitted_ = 0;
  std::size_t finished_ = 0;
  std::string error_;
};

}  // namespace serentak::client
