#include "queue/record_size_limit.hpp"

#include <algorithm>
#include <optional>
#include <string_view>

namespace serentak::queue {
namespace {

constexpr std::size_t default_bulk_limit = 512ULL * 1024 * 1024;    // proto-max-bulk-len
constexpr std::size_t default_query_limit = 1024ULL * 1024 * 1024;  // client-query-buffer-limit
constexpr std::size_t room_for_the_call = 64 * 1024;                // the batch's other arguments

// CONFIG GET's value for name (a reply [name, value, ...]), or fallback.
std::size_t config_bytes(redis_connection& connection, std::string_view name, std::size_t fallback) {
  redis_result r = connection.command({"CONFIG", "GET", name});
  if (!r.ok() || r.view().size() < 2) return fallback;
  const std::optional<std::size_t> value = r.view()[1].whole_number();
  return value && *value > 0 ? *value : fallback;
}

}  // namespace

std::size_t record_size_limit(redis_connection& connection) {
  const std::size_t bulk = config_bytes(connection, "proto-max-bulk-len", default_bulk_limit);
  const std::size_t query = config_bytes(connection, "client-query-buffer-limit", default_query_limit);
  const std::size_t limit = std::min(bulk, query);
  return limit > 2 * room_for_the_call ? limit - room_for_the_call : limit / 2;
}

}  // namespace serentak::queue
