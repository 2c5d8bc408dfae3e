#include "monitor/request_group.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include "core/request_shape.hpp"

namespace serentak::monitor {

std::vector<request_group> group_by_request(const monitor_config& config) {
  using key = std::tuple<std::string, std::vector<std::pair<std::string, std::string>>, std::string, long long,
                         std::string, bool, int, bool>;
  std::map<key, std::size_t> index;  // key -> position in groups
  std::vector<request_group> groups;
  for (std::size_t i = 0; i < config.endpoints.size(); ++i) {
    const endpoint_config& e = config.endpoints[i];
    // Endpoints reading their certificate are a group of their own: every request of a group that
    // wants it handshakes anew (transfer.cpp), which the others must not pay for.
    const bool wants_certificate = std::any_of(e.conditions.begin(), e.conditions.end(),
                                               [](const condition& c) { return c.reads_certificate(); });
    key k{e.method,   e.headers,   e.body,    static_cast<long long>(e.timeout.count()),
          e.ca_file, e.insecure, e.retries, wants_certificate};
    auto [it, added] = index.try_emplace(std::move(k), groups.size());
    if (added) groups.push_back(request_group{e.method, e.headers, e.body, e.timeout, e.ca_file, e.insecure, e.retries, {}, {}, false});
    request_group& group = groups[it->second];
    group.endpoints.push_back(i);
    for (const condition& c : e.conditions) {
      for (std::string& name : c.headers_read()) {
        if (std::find(group.kept_headers.begin(), group.kept_headers.end(), name) == group.kept_headers.end()) {
          group.kept_headers.push_back(std::move(name));
        }
      }
      group.want_certificate = group.want_certificate || c.reads_certificate();
    }
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
  policy.connection.ca_file = group.ca_file;
  policy.connection.insecure = group.insecure;
  policy.kept_headers = group.kept_headers;
  policy.want_certificate = group.want_certificate;
  return policy;
}

}  // namespace serentak::monitor
