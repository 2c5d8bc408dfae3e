#include "client/engine/host_gate.hpp"

#include <utility>

namespace serentak::client {

host_gate::host_gate(host_limits limits, host_rate_source* shared) : limits_(std::move(limits)), shared_(shared) {}

bool host_gate::try_start(const std::string& host, clock::time_point now, clock::duration& wait) {
  std::lock_guard lock(mutex_);
  auto found = hosts_.find(host);
  if (found == hosts_.end()) found = hosts_.try_emplace(host, limits_, now).first;
  if (!found->second.try_start(now, wait)) return false;
  if (shared_ == nullptr || shared_->try_take(host, now, wait)) return true;
  found->second.cancel_start();
  return false;
}

void host_gate::finish(const std::string& host, clock::time_point now, long http_status,
                       std::optional<std::chrono::milliseconds> retry_after) {
  std::lock_guard lock(mutex_);
  auto found = hosts_.find(host);
  if (found != hosts_.end()) found->second.finish(now, http_status, retry_after);
  if (shared_ != nullptr) shared_->finish(host, now, http_status, retry_after);
}

std::vector<host_report> host_gate::report() const {
  std::lock_guard lock(mutex_);
  std::vector<host_report> hosts;
  hosts.reserve(hosts_.size());
  for (const auto& [key, budget] : hosts_) hosts.push_back(host_report{key, budget.counts(), budget.rate()});
  return hosts;
}

}  // namespace serentak::client
