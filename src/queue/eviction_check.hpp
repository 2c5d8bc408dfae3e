#pragma once
// Whether the job's Redis may evict the job's own keys. With a maxmemory limit and an allkeys-*
// policy Redis drops any key under memory pressure: a job's items, records or meta would vanish
// without an error (a worker then sees its job gone, collect misses records). The volatile-*
// policies evict only keys with a TTL, and none of a job's data has one. `job push` and `job work`
// warn (as Sidekiq does for its queues); a Redis that refuses CONFIG GET (an ACL, a managed
// service) is not warned about.
// Runs on the caller's connection; not thread-safe.

#include <optional>
#include <string>

#include "queue/redis_connection.hpp"

namespace serentak::queue {

// The policy ("allkeys-lru", ...) when Redis has a maxmemory limit and may evict any key; nullopt
// otherwise, or when Redis does not say.
std::optional<std::string> evicting_policy(redis_connection& connection);

}  // namespace serentak::queue
