#pragma once
// A per-host rate and Retry-After pause kept outside this process: `job work` shares one token
// bucket per host with every other worker of the job through Redis (queue/shared_host_rate.hpp).
// host_gate asks it once per attempt, after its own in-process checks; it must answer from local
// state at once (no I/O, no waiting: it is called on an engine thread under host_gate's mutex).
// Thread-safe: called concurrently from every engine worker.

#include <chrono>
#include <optional>
#include <string>

namespace serentak::client {

class host_rate_source {
 public:
  using clock = std::chrono::steady_clock;

  virtual ~host_rate_source() = default;
  // Takes one attempt's token for host (a host_key). false: wait says when to ask again (> 0).
  virtual bool try_take(const std::string& host, clock::time_point now, clock::duration& wait) = 0;
  // An attempt that took a token ended. http_status 0: no answer; retry_after: the answer's.
  virtual void finish(const std::string& host, clock::time_point now, long http_status,
                      std::optional<std::chrono::milliseconds> retry_after) = 0;
};

}  // namespace serentak::client
