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

// What a worker notes of an attempt that failed and will be tried again, for the item's dead letter if
// no worker ever finishes it: "attempt 2: server_error 503", "attempt 1: timeout: <transport error>".
// At most 300 bytes (whole UTF-8 characters); the transport's text is the one records carry.
std::string describe_failed_attempt(const client::fetch_result& attempt);

// error: "dead-lettered after N deliveries: no worker finished it", and when a worker noted a failed
// attempt of the item, "; last failed attempt: <describe_failed_attempt>".
std::string dead_letter_error(long long deliveries, std::string_view last_failed_attempt);
std::string make_dead_record(std::size_t index, std::string_view item, std::string_view url, std::string_view error);

}  // namespace serentak::queue
