#pragma once
// A job's items stream as the push wrote it: entries "<generation>-<first index>" with fields i (the
// first index) and item, repeated for up to items_per_entry consecutive items (one entry's pending-list
// entry, delivery and acknowledgement serve them all: Redis's cost per item was mostly per entry); meta's
// push_generations says which generation holds which indexes. An entry of one item made by a reclaim
// (a split) or a retry may end with d, the deliveries the item had before.
// Functions; the connection is the caller's (one thread at a time).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "core/fnv1a.hpp"

#include "queue/job_keys.hpp"
#include "queue/redis_connection.hpp"
#include "queue/redis_reply.hpp"

namespace serentak::queue {

// Small enough that a worker of little concurrency does not hold many more items than it fetches at
// once (a read takes at least one entry), large enough that Redis's cost per entry (its pending-list
// entry, the delivery it writes to its AOF, the acknowledgement) is a small part of its cost per item.
inline constexpr std::size_t items_per_entry = 16;

// An entry's fields. items[k] is the item at index first + k; prior_deliveries is d (0 when absent).
struct entry_items {
  std::size_t first = 0;
  std::vector<std::string> items;
  long long prior_deliveries = 0;
};
// nullopt for an entry whose index is not a number or that has no item (not one push wrote).
std::optional<entry_items> read_entry_items(reply_view fields);

// The running digest of a push's items (meta's items_digest): FNV-1a 64 over each item and a newline.
class items_digest {
 public:
  void add(std::string_view item) { hash_.add(item).add("\n"); }
  std::string hex() const { return fmt::format("{:016x}", hash_.value()); }

 private:
  fnv1a_64 hash_;
};

// The items digest (items_digest's hex) of the job's items [0, count), read back from the entries the pushes wrote,
// 1,000 items per round trip. nullopt when they cannot be read whole (an entry missing or out of place: a job an older
// serentak left half pushed) or Redis refuses; throws job_error when the connection is lost.
std::optional<std::string> pushed_items_digest(redis_connection& connection, const job_keys& keys, std::size_t count);

// The items the pushes wrote at these indexes (one pipelined round trip), nullopt where there is none
// (an index never pushed, an entry missing); throws job_error when the connection is lost or Redis
// refuses.
std::vector<std::optional<std::string>> pushed_items_at(redis_connection& connection, const job_keys& keys,
                                                        const std::vector<std::size_t>& indexes);

}  // namespace serentak::queue
