#pragma once
// What `job status` shows of the job-wide per-host rates (--host-rate, queue/shared_host_rate.hpp):
// for each host with a bucket in Redis, the configured and the current shared rate (lower than
// configured after --adaptive pushed it down), the bucket's lease state (tokens now, the last
// lease, a Retry-After pause left), the tokens taken so far, and how many of the items workers
// hold (delivered, not yet recorded) are for that host: they wait for its tokens or are in flight.
// Read only, two pipelined round trips and read_pending_items; the held items are counted over at most held_limit
// pending entries. Host names come from items and are untrusted: the text escapes them.
// Pure values apart from read_host_rates (the caller's connection, on the caller's thread).

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "queue/job_keys.hpp"
#include "queue/job_spec.hpp"
#include "queue/redis_connection.hpp"

namespace serentak::queue {

inline constexpr std::size_t held_limit = 10000;  // pending entries looked at for the held counts

struct host_rate_status {
  std::string host;                           // "http://h:port", as the workers keyed it
  double configured = 0;                      // the job's --host-rate
  double current = 0;                         // the shared rate now
  double tokens = 0;                          // in the bucket now (refilled to Redis's clock)
  long long burst = 0;                        // the bucket's capacity
  long long last_lease_ms_ago = -1;           // -1: never leased
  long long paused_ms = 0;                    // a Retry-After pause left; 0: none
  long long taken = 0;                        // tokens leased and not given back: about the requests sent
  std::size_t held = 0;                       // items workers hold for the host
  std::optional<double> observed_per_second;  // from two readings (fill_observed); nullopt on the first
};

struct host_rates_status {
  double configured = 0;
  std::vector<host_rate_status> hosts;  // sorted by host
  long long leasing_workers = 0;        // workers that leased tokens within the last 10 s
  std::size_t held_counted = 0;         // items in flight looked at (in the first held_limit pending entries)
  bool held_truncated = false;          // more than held_limit were pending
};

host_rates_status read_host_rates(redis_connection& connection, const job_keys& keys, const job_spec& spec);
// The rate of tokens taken per host between two readings seconds apart (--watch).
void fill_observed(host_rates_status& now, const host_rates_status& before, double seconds);
std::string host_rates_text(const host_rates_status& rates);
nlohmann::json host_rates_json(const host_rates_status& rates);

}  // namespace serentak::queue
