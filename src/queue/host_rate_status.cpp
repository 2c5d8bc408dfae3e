#include "queue/host_rate_status.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/host_key.hpp"
#include "core/log_text.hpp"
#include "core/url_template.hpp"
#include "queue/job_admin.hpp"
#include "queue/pending_items.hpp"
#include "queue/shared_host_rate.hpp"

namespace serentak::queue {
namespace {

// A worker counts as leasing while it leased within this (host_lease keeps the same window).
constexpr long long live_window_ms = 10000;

void check_reply(const redis_result& r) {
  if (!r.ok() && r.error->what == redis_error::kind::io) throw job_error(r.error->message, true);
}

// "tokens last_ms rate last_decrease_ms", as host_lease writes it; false for anything else.
bool parse_bucket(std::string_view text, double& tokens, long long& last_ms, double& rate) {
  std::string copy(text);
  double t = 0, r = 0;
  long long last = 0, dec = 0;
  if (std::sscanf(copy.c_str(), "%lf %lld %lf %lld", &t, &last, &r, &dec) != 4) return false;
  tokens = t;
  last_ms = last;
  rate = r;
  return true;
}

std::string as_seconds(long long ms) { return fmt::format("{:.1f} s", static_cast<double>(ms) / 1000.0); }

}  // namespace

host_rates_status read_host_rates(redis_connection& connection, const job_keys& keys, const job_spec& spec) {
  host_rates_status status;
  status.configured = spec.host_rate_per_second.value_or(0);
  const lease_plan plan = plan_lease(status.configured > 0 ? status.configured : 1.0);

  connection.append({"TIME"});
  connection.append({"HGETALL", keys.hostrate});
  connection.append({"HGETALL", keys.hostrate_taken});
  auto first = connection.read_replies();
  for (const auto& r : first) check_reply(r);
  reply_view redis_time = first[0].view();
  const long long now_ms = redis_time.size() >= 2 ? redis_time[0].integer() * 1000 + redis_time[1].integer() / 1000 : 0;

  std::map<std::string, host_rate_status> hosts;
  reply_view buckets = first[1].view();
  for (std::size_t k = 0; k + 1 < buckets.size(); k += 2) {
    host_rate_status h;
    h.host = std::string(buckets[k].text());
    h.configured = status.configured;
    h.burst = plan.burst;
    double tokens = 0, rate = 0;
    long long last_ms = 0;
    if (parse_bucket(buckets[k + 1].text(), tokens, last_ms, rate)) {
      h.current = rate;
      // The bucket is refilled when leased; between leases it gathers at its rate up to its capacity.
      const long long elapsed = std::max(0LL, now_ms - last_ms);
      h.tokens = std::min(static_cast<double>(plan.burst), tokens + static_cast<double>(elapsed) * rate / 1000.0);
      h.last_lease_ms_ago = elapsed;
    }
    std::string key = h.host;
    hosts.emplace(std::move(key), std::move(h));
  }
  reply_view taken = first[2].view();
  for (std::size_t k = 0; k + 1 < taken.size(); k += 2) {
    auto at = hosts.find(std::string(taken[k].text()));
    if (at != hosts.end()) at->second.taken = taken[k + 1].integer();
  }

  // Second round trip: the pauses and the live workers; then the items behind the pending entries.
  for (const auto& [host, h] : hosts) connection.append({"PTTL", keys.pause_prefix + host});
  connection.append({"ZCOUNT", keys.hostrate_workers, std::to_string(now_ms - live_window_ms), "+inf"});
  auto second = connection.read_replies();
  for (const auto& r : second) check_reply(r);
  std::size_t at = 0;
  for (auto& [host, h] : hosts) {
    const long long left = second[at++].view().integer();  // -2: no pause key, -1: no expiry
    h.paused_ms = std::max(0LL, left);
  }
  status.leasing_workers = second[at++].view().integer();
  if (!hosts.empty()) {
    const pending_items held = read_pending_items(connection, keys, held_limit);
    status.held_counted = held.items();
    status.held_truncated = held.truncated;
    const url_template urls("", spec.url_template, spec.items_are_urls);
    for (const pending_entry& e : held.entries) {
      for (const auto& [index, item] : e.items) {
        try {
          auto host = hosts.find(host_key(urls.expand(item)));
          if (host != hosts.end()) ++host->second.held;
        } catch (const std::invalid_argument&) {
          // An item that makes no URL is refused at push; nothing to count.
        }
      }
    }
  }
  for (auto& [host, h] : hosts) status.hosts.push_back(std::move(h));
  return status;
}

void fill_observed(host_rates_status& now, const host_rates_status& before, double seconds) {
  if (seconds <= 0) return;
  for (host_rate_status& h : now.hosts) {
    auto was = std::find_if(before.hosts.begin(), before.hosts.end(),
                            [&](const host_rate_status& b) { return b.host == h.host; });
    const long long earlier = was != before.hosts.end() ? was->taken : 0;
    h.observed_per_second = static_cast<double>(std::max(0LL, h.taken - earlier)) / seconds;
  }
}

std::string host_rates_text(const host_rates_status& rates) {
  std::string text = fmt::format("host rate  {:g}/s per host for the whole job; {} workers leasing\n", rates.configured,
                                 rates.leasing_workers);
  if (rates.hosts.empty()) text += "  (no host leased yet)\n";
  for (const host_rate_status& h : rates.hosts) {
    text += fmt::format("  {}\n", escape_for_log(h.host));
    text +=
        fmt::format("    rate {:.1f}/s{}", h.current,
                    h.observed_per_second ? fmt::format(", observed {:.1f}/s", *h.observed_per_second) : std::string());
    text += fmt::format(", bucket {:.1f}/{} tokens", h.tokens, h.burst);
    text += h.last_lease_ms_ago >= 0 ? fmt::format(", last lease {} ago", as_seconds(h.last_lease_ms_ago))
                                     : std::string(", never leased");
    if (h.paused_ms > 0) text += fmt::format(", paused {} more (Retry-After)", as_seconds(h.paused_ms));
    text += fmt::format(
        "\n    items waiting on it {}{}, tokens taken {}\n", h.held,
        rates.held_truncated ? fmt::format(" (of the first {} in flight)", rates.held_counted) : std::string(),
        h.taken);
  }
  return text;
}

nlohmann::json host_rates_json(const host_rates_status& rates) {
  nlohmann::json j;
  j["configured_per_second"] = rates.configured;
  j["leasing_workers"] = rates.leasing_workers;
  j["held_counted"] = rates.held_counted;
  j["held_truncated"] = rates.held_truncated;
  j["hosts"] = nlohmann::json::array();
  for (const host_rate_status& h : rates.hosts) {
    j["hosts"].push_back({{"host", h.host},
                          {"configured_per_second", h.configured},
                          {"current_per_second", h.current},
                          {"observed_per_second",
                           h.observed_per_second ? nlohmann::json(*h.observed_per_second) : nlohmann::json(nullptr)},
                          {"tokens", h.tokens},
                          {"burst", h.burst},
                          {"last_lease_ms_ago",
                           h.last_lease_ms_ago >= 0 ? nlohmann::json(h.last_lease_ms_ago) : nlohmann::json(nullptr)},
                          {"paused_ms", h.paused_ms},
                          {"tokens_taken", h.taken},
                          {"waiting_items", h.held}});
  }
  return j;
}

}  // namespace serentak::queue
