#pragma once
// Whether a job's --host-rate makes items wait longer than the item lease. A worker holds up to
// c items in its local queue, and each engine thread up to 64 more that their host's
// budget refused for now (client/engine/worker.cpp, held_limit); all of them may be for one host,
// whose tokens come at the job's --host-rate, so the last one waits about held / rate before it
// may be sent. Past the lease another worker reclaims it: fetched twice (recorded once), and after
// --max-deliveries reclaims dead-lettered. `job push` checks this for one worker at the default -c
// and --threads 1 (the least a worker holds) and the job's default lease, and warns
// (docs/distributed.md).
// Pure; thread-safe.

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>

#include "queue/job_spec.hpp"

namespace serentak::queue {

inline constexpr std::size_t default_worker_concurrency = 100;  // `job work -c` by default

// Items one worker at -c concurrency and --threads threads holds waiting for a host's token: its
// local queue and what its engine threads hold for the host's budget (in flight ones have theirs).
std::size_t items_waiting_in_worker(std::size_t concurrency, std::size_t threads = 1);

struct lease_wait_warning {
  std::string host;                    // the host whose items wait longest (untrusted: from items)
  std::size_t held = 0;                // of its items, held by one worker at once
  std::chrono::milliseconds wait{0};   // the last of them waits about this long for a token
  std::chrono::milliseconds lease{0};  // the job's default item lease
  std::size_t max_concurrency = 0;     // the largest -c whose wait fits the lease (--threads 1); 0: none
};

// items_per_host: how many of the job's items go to each host. nullopt: no --host-rate, or every
// host's wait fits within the lease.
std::optional<lease_wait_warning> check_lease_wait(const job_spec& spec,
                                                   const std::map<std::string, std::size_t>& items_per_host,
                                                   std::size_t concurrency = default_worker_concurrency);

}  // namespace serentak::queue
