#pragma once
// The items behind a job's pending entries (what workers hold), read back for `job status`: the
// pending list (XPENDING, at most `limit` entries), each entry (XRANGE), and for an entry of several
// items which of them have a record already (HEXISTS): such an entry stays pending until its last
// item's record is stored, so its recorded items are done, not in flight. Two pipelined round trips
// after the list. Functions; the connection is the caller's (one thread at a time).

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "queue/job_keys.hpp"
#include "queue/redis_connection.hpp"

namespace serentak::queue {

struct pending_entry {
  std::string id;
  std::string consumer;
  long long idle_ms = 0;
  std::vector<std::pair<std::size_t, std::string>> items;  // (index, text) of those without a record
};

struct pending_items {
  std::vector<pending_entry> entries;
  bool truncated = false;  // more than limit entries were pending: the rest are not counted
  std::size_t items() const;
};

// Throws job_error (io: the connection is lost) when Redis cannot answer or refuses a command.
pending_items read_pending_items(redis_connection& connection, const job_keys& keys, std::size_t limit);

}  // namespace serentak::queue
