#pragma once
// The per-host politeness of one run (--per-host, --host-rate, --adaptive), shared by every worker:
// one host_budget per "scheme://host:port", made on first use. Thread-safe: the table and every
// budget live behind mutex_, held only for a lookup and the budget's arithmetic (no I/O, no
// waiting). A worker refused here does not wait on the lock; it holds the request without a slot
// and asks again when told (host_gate::try_start's wait). With a host_rate_source (`job work`),
// the rate and the Retry-After pauses are that source's, shared with other processes; the
// in-process budgets then keep only the in-flight cap. Lock order: mutex_, then the source's.

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "client/engine/host_rate_source.hpp"
#include "core/host_budget.hpp"

namespace serentak::client {

struct host_report {
  std::string host;  // "http://127.0.0.1:5000"
  host_counts counts;
  std::optional<double> final_rate;  // requests/s in force at the end; nullopt: unlimited
};

class host_gate {
 public:
  using clock = std::chrono::steady_clock;

  // shared: null for an ordinary run; else it must outlive the gate.
  explicit host_gate(host_limits limits, host_rate_source* shared = nullptr);

  bool try_start(const std::string& host, clock::time_point now, clock::duration& wait);
  void finish(const std::string& host, clock::time_point now, long http_status,
              std::optional<std::chrono::milliseconds> retry_after);
  // Every host seen, in key order.
  std::vector<host_report> report() const;

 private:
  const host_limits limits_;
  host_rate_source* const shared_;            // null: rates and pauses are kept here, per process
  mutable std::mutex mutex_;                  // guards hosts_ and every budget in it
  std::map<std::string, host_budget> hosts_;  // node-based: a budget never moves
};

}  // namespace serentak::client
