#pragma once
// The record a worker stores for an item: the same JSONL line `serentak fetch --out x.jsonl`
// writes (core/result_record), item and URL redacted of credentials. Dead-lettered items get a
// record too, outcome unexpected, whose error says so.
// Pure functions; thread-safe.

#include <cstddef>
#include <string>
#include <string_view>

#include "client/engine/fetch_types.hpp"
#include "core/outcome.hpp"

namespace serentak::queue {

struct finished_record {
  outcome kind = outcome::unexpected;
  std::string line;  // one JSONL record, without its newline
};

finished_record make_record(const client::fetch_request& request, const client::fetch_result& result);

// For a record of `bytes` that Redis would refuse (over `limit`): the same item, outcome unexpected,
// no body, an error saying why. Stored instead, so the item still gets its one record and the worker
// goes on (Redis closes the connection on an argument over proto-max-bulk-len, and the batch was
// sent again and again).
finished_record make_too_large_record(const client::fetch_request& request, const client::fetch_result& result,
                                      std::size_t bytes, std::size_t limit);

// error: "dead-lettered after N deliveries: no worker finished it"
std::string make_dead_record(std::size_t index, std::string_view item, std::string_view url, long long deliveries);

}  // namespace serentak::queue
