#pragma once
// One engine worker: drives its own libcurl multi handle with at most `slots` transfers in
// flight, taking a request from the shared work_source only when one of its slots is free.
// Created on the engine's thread, then run() on exactly one worker thread, which alone touches
// the multi handle, the transfers and the counters. Shared (thread-safe by contract): the source,
// the observer, the stop flag.

#include <curl/curl.h>

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "client/curl_handles.hpp"
#include "client/engine.hpp"
#include "client/transfer.hpp"

namespace serentak::client {

class worker {
 public:
  // Creates the multi handle: throws std::runtime_error if libcurl cannot. slots >= 1.
  worker(std::size_t slots, const fetch_policy& policy, work_source& source, fetch_observer& observer,
         const std::atomic<bool>* stop);
  worker(const worker&) = delete;
  worker& operator=(const worker&) = delete;

  // Runs until the source is exhausted and this worker's transfers are done, or stop is set.
  // Never throws: a failure of the worker itself ends its transfers as outcome::unexpected.
  void run() noexcept;

  std::size_t admitted() const noexcept { return admitted_; }
  std::size_t finished() const noexcept { return finished_; }
  const std::string& error() const noexcept { return error_; }  // first failure of the worker itself

 private:
  void loop();
  void admit();
  void launch(transfer& slot, fetch_request request);
  std::size_t reap();
  void settle(transfer& slot, fetch_result result) noexcept;
  void end_in_flight(const std::string& reason) noexcept;
  int poll_timeout_ms() const noexcept;
  bool stop_requested() const noexcept;
  transfer& acquire();
  void release(transfer& slot) noexcept;
  void note_error(std::string what) noexcept;

  multi_handle multi_;
  std::size_t slots_;  // this worker's share of engine_config::concurrency
  const fetch_policy& policy_;
  work_source& source_;
  fetch_observer& observer_;
  const std::atomic<bool>* stop_;

  // Slots are created lazily (5 items at concurrency 10,000 make 5 transfers) and reused.
  std::vector<std::unique_ptr<transfer>> pool_;  // every transfer made, at most slots_
  std::vector<transfer*> idle_;                  // free slots, reused last-in first-out
  std::size_t in_use_ = 0;                       // slots taken: in the multi handle or being settled
  bool exhausted_ = false;                       // the source said nullopt (or failed)

  std::size_t admitted_ = 0;
  std::size_t finished_ = 0;
  std::string error_;
};

}  // namespace serentak::client
