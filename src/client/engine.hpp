#pragma once
// The client engine: a few worker threads, each driving its own libcurl multi handle, pull
// requests from one shared work_source and keep at most `concurrency` transfers in flight in
// total. 5 items are 5 concurrent transfers; the same code carries 10,000.
//
// Threads: run_engine() blocks until the source is exhausted and every admitted request has
// finished (or stop was requested). Shared between workers: the work_source (must be
// thread-safe), the observer (called concurrently from workers) and the stop flag. Everything
// else (multi handles, easy handles, buffers) is owned by one worker.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "client/fetch_types.hpp"

namespace serentak::client {

// Supplies requests. next() is called concurrently from all workers, only when the caller has a
// free transfer slot; nullopt means exhausted, and once returned it must keep being returned (each
// worker discovers the end on its own). An exception from next() is treated as exhaustion for
// that worker and reported in engine_report::error.
class work_source {
 public:
  virtual ~work_source() = default;
  virtual std::optional<fetch_request> next() = 0;
};

// Receives events from worker threads, concurrently; implementations lock what they share.
// on_start fires when the request is admitted (a transfer slot is free), just before it is sent.
// on_finish fires exactly once per admitted request, with its final result.
// An exception from on_start fails that request (outcome unexpected, still one on_finish); one
// from on_finish is swallowed (the request counts as finished) and noted in engine_report::error.
class fetch_observer {
 public:
  virtual ~fetch_observer() = default;
  virtual void on_start(const fetch_request& request) = 0;
  virtual void on_finish(const fetch_request& request, const fetch_result& result) = 0;
};

struct engine_config {
  unsigned threads = 0;            // worker threads; 0: hardware cores; never more than concurrency
  std::size_t concurrency = 100;   // transfers in flight in total, >= 1
  fetch_policy policy;
};

struct engine_report {
  std::size_t admitted = 0;   // requests taken from the source
  std::size_t finished = 0;   // on_finish calls; == admitted, also when stopped (cancelled ones finish)
  std::chrono::steady_clock::duration wall{};
  std::string error;          // the first failure of the engine itself (source, observer, libcurl);
                              // empty when none. Items it affected also carry it as unexpected.
};

// stop may be null. When *stop becomes true, workers admit nothing more, abort transfers in
// flight within about 100 ms and report them as finished with outcome unexpected ("cancelled").
// Throws std::invalid_argument for a bad config (concurrency 0, timeout <= 0, negative connect
// timeout or max_redirects) and std::runtime_error when libcurl cannot make a multi handle, both
// before any request is taken; after that it never throws. Needs a live curl_global.
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
