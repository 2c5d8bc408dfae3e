#include "core/run_summary.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/log_text.hpp"

namespace serentak {
namespace {

double ms(std::uint64_t micros) { return static_cast<double>(micros) / 1000.0; }

double ratio(double numerator, double denominator) { return denominator > 0 ? numerator / denominator : 0.0; }

}  // namespace

void run_summary::add(outcome o, int item_attempts, std::chrono::microseconds item_latency) noexcept {
  ++counts[static_cast<std::size_t>(o)];
  attempts += static_cast<std::uint64_t>(item_attempts > 0 ? item_attempts : 0);
  latency.record(static_cast<std::uint64_t>(item_latency.count() > 0 ? item_latency.count() : 0));
}

void run_summary::merge(const run_summary& other) noexcept {
  for (std::size_t i = 0; i < counts.size(); ++i) counts[i] += other.counts[i];
  attempts += other.attempts;
  latency.merge(other.latency);
}

std::uint64_t run_summary::items() const noexcept {
  std::uint64_t total = 0;
  for (auto c : counts) total += c;
  return total;
}

double run_summary::wall_seconds() const noexcept {
  return std::chrono::duration<double>(wall).count();
}

std::string render_summary_text(const run_summary& s) {
  std::uint64_t retries = s.attempts > s.items() ? s.attempts - s.items() : 0;
  std::string out = fmt::format("Summary: {} {} in {:.2f} s ({:.1f} items/s), {} {}\n", s.items(),
                                s.items() == 1 ? "item" : "items", s.wall_seconds(),
                                ratio(static_cast<double>(s.items()), s.wall_seconds()), retries,
                                retries == 1 ? "retry" : "retries");
  out += "  outcomes:";
  for (outcome o : all_outcomes) out += fmt::format(" {} {}", to_string(o), s.count(o));
  out += '\n';
  const latency_histogram& h = s.latency;
  out += fmt::format("  latency ms: min {:.1f}  p50 {:.1f}  p90 {:.1f}  p99 {:.1f}  max {:.1f}\n", ms(h.min()),
                     ms(h.percentile(0.50)), ms(h.percentile(0.90)), ms(h.percentile(0.99)), ms(h.max()));
  out += fmt::format("  sequential sum {:.2f} s vs wall {:.2f} s: {:.1f}x from concurrency\n", s.sequential_seconds(),
                     s.wall_seconds(), ratio(s.sequential_seconds(), s.wall_seconds()));
  for (const host_summary& host : s.hosts) {
    out += fmt::format("  host {}: {} attempts, {} x 429, {} x 503, {} pauses, final rate {}\n", escape_for_log(host.host),
                       host.attempts, host.seen_429, host.seen_503, host.pauses,
                       host.final_rate ? fmt::format("{:.1f}/s", *host.final_rate) : std::string("unlimited"));
  }
  return out;
}

std::string render_summary_json(const run_summary& s) {
  nlohmann::ordered_json outcomes;
  for (outcome o : all_outcomes) outcomes[std::string(to_string(o))] = s.count(o);
  const latency_histogram& h = s.latency;
  nlohmann::ordered_json j{
      {"items", s.items()},
      {"outcomes", outcomes},
      {"attempts", s.attempts},
      {"retries", s.attempts > s.items() ? s.attempts - s.items() : 0},
      {"wall_s", s.wall_seconds()},
      {"items_per_s", ratio(static_cast<double>(s.items()), s.wall_seconds())},
      {"latency_ms",
       {{"min", ms(h.min())},
        {"p50", ms(h.percentile(0.50))},
        {"p90", ms(h.percentile(0.90))},
        {"p99", ms(h.percentile(0.99))},
        {"max", ms(h.max())}}},
      {"sequential_s", s.sequential_seconds()},
      {"concurrency_gain", ratio(s.sequential_seconds(), s.wall_seconds())},
      {"schema", summary_schema_version},  // last: scripts that look for '{"items"' keep working
  };
  if (!s.hosts.empty()) {
    nlohmann::ordered_json hosts = nlohmann::ordered_json::array();
    for (const host_summary& host : s.hosts) {
      nlohmann::ordered_json line{{"host", host.host},         {"attempts", host.attempts}, {"status_429", host.seen_429},
                                  {"status_503", host.seen_503}, {"pauses", host.pauses}};
      line["final_rate_per_s"] = host.final_rate ? nlohmann::ordered_json(*host.final_rate) : nlohmann::ordered_json();
      hosts.push_back(std::move(line));
    }
    j["hosts"] = std::move(hosts);
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace serentak
