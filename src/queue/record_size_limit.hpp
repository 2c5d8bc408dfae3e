#pragma once
// The largest record a worker can store. Redis refuses a call argument over proto-max-bulk-len
// (512 MB by default, often lower on managed Redis) or a call over client-query-buffer-limit (1 GB):
// it answers "Protocol error" and closes the connection, and the worker's flusher sent the same batch
// again and again, so every later record of that worker waited behind it. A record over this limit is
// stored as a short one saying so (job_record: make_too_large_record).

#include <cstddef>

#include "queue/redis_connection.hpp"

namespace serentak::queue {

// From CONFIG GET, less room for the rest of the call; Redis's defaults when CONFIG is refused or
// renamed away (managed Redis), or the connection fails.
std::size_t record_size_limit(redis_connection& connection);

}  // namespace serentak::queue
