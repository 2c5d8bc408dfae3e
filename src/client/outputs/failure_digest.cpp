#include "client/outputs/failure_digest.hpp"

#include <algorithm>

#include "core/find_any.hpp"

namespace serentak::client {

std::string_view url_host(std::string_view url) {
  auto scheme_end = url.find("://");
  std::string_view rest = scheme_end == std::string_view::npos ? url : url.substr(scheme_end + 3);
  std::string_view authority = rest.substr(0, find_any(rest, "/?#"));
  auto at = authority.rfind('@');
  return at == std::string_view::npos ? authority : authority.substr(at + 1);
}

void failure_digest::add(std::size_t index, std::string_view item, std::string_view url, outcome kind, long http_status,
                         std::string_view error) {
  std::string_view host = url_host(url);
  host_tally* tally = nullptr;
  for (host_tally& known : hosts_) {
    if (known.host == host) tally = &known;
  }
  if (tally == nullptr && hosts_.size() < max_hosts) {
    tally = &hosts_.emplace_back(host_tally{std::string(host), 0, 0, {}});
  }
  if (tally != nullptr) {
    ++tally->finished;
    if (kind == outcome::connection_error) {
      if (tally->connect_failed++ == 0) tally->first_error = error;
    }
  }
  if (kind == outcome::ok) return;
  ++failures_;
  // The `keep` lowest indexes, whatever order items finish in: a max-heap on index, so the report
  // lists the same items on every run, at O(log keep) per failure.
  auto later = [](const failed_item& a, const failed_item& b) { return a.index < b.index; };
  if (first_.size() == keep_) {
    if (keep_ == 0 || index >= first_.front().index) return;
    std::pop_heap(first_.begin(), first_.end(), later);
    first_.pop_back();
  }
  first_.push_back(failed_item{index, std::string(item), std::string(url), kind, http_status, std::string(error)});
  std::push_heap(first_.begin(), first_.end(), later);
}

}  // namespace serentak::client
