#pragma once
// What the failure report after a run needs (issue 15, point 1), gathered as the run goes at a
// bounded cost: the `keep` failed items of lowest index with their outcome and reason, and per host (at
// most max_hosts of them) how many items finished and how many of those ended connection_error,
// so "nothing listens on 127.0.0.1:5000" can be said without reading the log back.
//
// Not thread-safe on its own: theme_observer calls add() under the tally lock it already takes
// for every finished item, so the hot path gains no lock.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/outcome.hpp"

namespace serentak::client {

struct failed_item {
  std::size_t index = 0;
  std::string item;  // redacted, as the log shows it
  std::string url;   // redacted
  outcome kind = outcome::unexpected;
  long http_status = 0;
  std::string reason;  // the transport's error, or empty when the status says it all
};

struct host_tally {
  std::string host;                  // "127.0.0.1:5000", as the URL names it
  std::uint64_t finished = 0;        // items to this host that ended, whatever their outcome
  std::uint64_t connect_failed = 0;  // of those, how many ended connection_error
  std::string first_error;           // the first connection error's text
};

class failure_digest {
 public:
  static constexpr std::size_t max_hosts = 32;  // a run over more hosts tallies the first 32

  failure_digest() = default;
  explicit failure_digest(std::size_t keep) : keep_(keep) {}

  void add(std::size_t index, std::string_view item, std::string_view url, outcome kind, long http_status,
           std::string_view error);

  const std::vector<failed_item>& first_failures() const noexcept { return first_; }  // heap order: sort to show
  std::uint64_t failures() const noexcept { return failures_; }
  const std::vector<host_tally>& hosts() const noexcept { return hosts_; }
  std::size_t keep() const noexcept { return keep_; }

 private:
  std::size_t keep_ = 10;
  std::uint64_t failures_ = 0;
  std::vector<failed_item> first_;
  std::vector<host_tally> hosts_;
};

// "http://user@127.0.0.1:5000/p?q" -> "127.0.0.1:5000"; the scheme's default port is not added.
std::string_view url_host(std::string_view url);

}  // namespace serentak::client
