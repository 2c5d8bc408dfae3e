#include "queue/eviction_check.hpp"

namespace serentak::queue {

std::optional<std::string> evicting_policy(redis_connection& connection) {
  // Two commands in one round trip: CONFIG GET takes one parameter before Redis 7.
  connection.append({"CONFIG", "GET", "maxmemory-policy"});
  connection.append({"CONFIG", "GET", "maxmemory"});
  std::vector<redis_result> replies = connection.read_replies();
  if (replies.size() != 2 || !replies[0].ok() || !replies[1].ok()) return std::nullopt;
  reply_view policy = replies[0].view();
  reply_view limit = replies[1].view();
  if (policy.size() < 2 || limit.size() < 2) return std::nullopt;
  std::string name(policy[1].text());
  if (!name.starts_with("allkeys-") || limit[1].integer() == 0) return std::nullopt;
  return name;
}

}  // namespace serentak::queue
