#pragma once
// A job's items stream as the push wrote it: entries "<generation>-<index>" with fields i (the index)
// and item (its text); meta's push_generations says which generation holds which indexes.
// Functions; the connection is the caller's (one thread at a time).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "core/fnv1a.hpp"

#include "queue/job_keys.hpp"
#include "queue/redis_connection.hpp"
#include "queue/redis_reply.hpp"

namespace serentak::queue {

// Fields of an entry ({"i", index, "item", text}) into an index and item. An entry whose index is not
// a number (not one push wrote) has none: false.
bool read_item_fields(reply_view fields, std::size_t& index, std::string& item);

// The running digest of a push's items (meta's items_digest): FNV-1a 64 over each item and a newline.
class items_digest {
 public:
  void add(std::string_view item) { hash_.add(item).add("\n"); }
  std::string hex() const { return fmt::format("{:016x}", hash_.value()); }

 private:
  fnv1a_64 hash_;
};

// The items digest (items_digest's hex) of the job's items [0, count), read back from the entries the pushes wrote,
// 10,000 per round trip. nullopt when they cannot be read whole (an entry missing or out of place: a job an older
// serentak left half pushed) or Redis refuses; throws job_error when the connection is lost.
std::optional<std::string> pushed_items_digest(redis_connection& connection, const job_keys& keys, std::size_t count);

// The items the pushes wrote at these indexes (one pipelined round trip), nullopt where there is none
// (an index never pushed, an entry missing); throws job_error when the connection is lost or Redis
// refuses.
std::vector<std::optional<std::string>> pushed_items_at(redis_connection& connection, const job_keys& keys,
                                                        const std::vector<std::size_t>& indexes);

}  // namespace serentak::queue
