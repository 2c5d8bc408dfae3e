#include "monitor/request_group.hpp"

#include <map>
#include <tuple>

#include "core/request_shape.hpp"

namespace serentak::monitor {

std::vector<request_group> group_by_request(const monitor_config& config) {
  using key = std::tuple<std::string, std::vector<std::pair<std::string, std::string>>, std::string, long long>;
  std::map<key, std::size_t> index;  // key -> position in groups
  std::vector<request_group> groups;
  for (std::size_t i = 0; i < config.endpoints.size(); ++i) {
    const endpoint_config& e = config.endpoints[i];
    key k{e.method, e.headers, e.body, static_cast<long long>(e.timeout.count())};
    auto [it, added] = index.try_emplace(std::move(k), groups.size());
    if (added) groups.push_back(request_group{e.method, e.headers, e.body, e.timeout, {}});
    groups[it->second].endpoints.push_back(i);
  }
  return groups;
}

client::fetch_policy policy_for(const request_group& group, std::size_t max_body_bytes) {
  request_spec spec;
  spec.method = group.method;
  for (const auto& [name, value] : group.headers) spec.headers.push_back(header_field{name, value});
  if (!group.body.empty()) spec.body = group.body;
  client::fetch_policy policy;
  policy.timeout = group.timeout;
  policy.max_body_bytes = max_body_bytes;
  policy.follow_redirects = false;
  policy.request = request_shape::prepare(spec);
  return policy;
}

}  // namespace serentak::monitor
