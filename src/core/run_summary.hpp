#pragma once
// What a run came to: counts per outcome (every category, zeros included), attempts, latencies
// and wall time, rendered for people (text) or programs (one JSON object).
// A plain value: each worker or observer fills its own and merge()s, or one lock guards it.

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/latency_histogram.hpp"
#include "core/outcome.hpp"

namespace serentak {

// One host's politeness figures (--per-host, --host-rate, --adaptive), from the engine.
struct host_summary {
  std::string host;                  // "http://127.0.0.1:5000"
  std::uint64_t attempts = 0;
  std::uint64_t seen_429 = 0;
  std::uint64_t seen_503 = 0;
  std::uint64_t pauses = 0;          // Retry-After pauses of the whole host
  std::optional<double> final_rate;  // requests/s in force at the end; nullopt: unlimited
};

struct run_summary {
  std::array<std::uint64_t, all_outcomes.size()> counts{};  // indexed by outcome
  std::uint64_t attempts = 0;                                // >= items; attempts - items = retries
  latency_histogram latency;                                 // per item, final attempt's send to outcome
  std::chrono::steady_clock::duration wall{};
  std::vector<host_summary> hosts;                           // only with per-host limits

  void add(outcome o, int item_attempts, std::chrono::microseconds item_latency) noexcept;
  void merge(const run_summary& other) noexcept;

  std::uint64_t items() const noexcept;
  std::uint64_t count(outcome o) const noexcept { return counts[static_cast<std::size_t>(o)]; }
  std::uint64_t failures() const noexcept { return items() - count(outcome::ok); }
  double wall_seconds() const noexcept;
  // Sum of per-item latencies: what a one-at-a-time client would have waited.
  double sequential_seconds() const noexcept { return static_cast<double>(latency.sum()) / 1e6; }
};

// The shape of render_summary_json, documented in docs/schema/summary.schema.json; raised only when
// a field changes meaning or goes away (new fields may be added within a version).
inline constexpr int summary_schema_version = 1;

std::string render_summary_text(const run_summary& summary);
std::string render_summary_json(const run_summary& summary);  // one line, no trailing newline

}  // namespace serentak
