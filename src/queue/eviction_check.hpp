#pragma once
// Whether the job's Redis may evict the job's own keys. With a maxmemory limit and an allkeys-*
// policy Redis drops any key under memory pressure: a job's items, records or meta would vanish
// without an error (a worker then sees its job gone, collect misses records). The volatile-*
// policies evict only keys with a TTL, which none of a job's data has (a pause:HOST key expires
// anyway). `job push` and `job work` warn. Read from INFO memory, which managed services that
// disable CONFIG still answer; a Redis that refuses INFO too is not warned about.
// Runs on the caller's connection; not thread-safe.

#include <optional>
#include <string>

#include "queue/redis_connection.hpp"

namespace serentak::queue {

// The policy ("allkeys-lru", ...) when Redis has a maxmemory limit and may evict any key; nullopt
// otherwise, or when Redis does not say.
std::optional<std::string> evicting_policy(redis_connection& connection);

}  // namespace serentak::queue
