#include "queue/shared_host_rate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "queue/job_scripts.hpp"

namespace serentak::queue {
namespace {

using namespace std::chrono_literals;

// How often a worker whose host waits for a lease in flight asks again: a loopback round trip
// is well under a millisecond, a LAN one about one.
constexpr auto lease_poll = 2ms;

// The lease thread's commands are small: a Redis that does not answer within a second is treated
// as down (fallback buckets) rather than stalling every worker of the host.
redis_timeouts lease_timeouts(stop_deadline* give_up) {
  redis_timeouts t;
  t.give_up = give_up;
  t.connect = 1000ms;
  t.command = 1000ms;
  return t;
}

std::string number(double value) { return fmt::format("{}", value); }

}  // namespace

lease_plan plan_lease(double rate_per_second) {
  lease_plan plan;
  plan.batch = std::max(1LL, static_cast<long long>(std::floor(rate_per_second * 0.1)));
  plan.burst = 2 * plan.batch;
  plan.valid = 100ms;
  return plan;
}

shared_host_rate::shared_host_rate(const redis_endpoint& endpoint, const job_keys& keys, shared_host_rate_config config,
                                   outage_reporter& outages)
    : keys_(keys),
      config_(std::move(config)),
      plan_(plan_lease(config_.rate_per_second)),
      outages_(outages),
      connection_(endpoint, lease_timeouts(config_.give_up)),
      runner_(connection_) {
  thread_ = std::thread([this] { run(); });
}

shared_host_rate::~shared_host_rate() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::size_t shared_host_rate::leases() const {
  std::lock_guard lock(mutex_);
  return leases_;
}

bool shared_host_rate::try_take(const std::string& host, clock::time_point now, clock::duration& wait) {
  std::lock_guard lock(mutex_);
  host_state& h = hosts_.try_emplace(host).first->second;
  if (now < h.paused_until) {
    wait = h.paused_until - now;
    return false;
  }
  if (h.stock > 0 && now < h.stock_until) {
    --h.stock;
    return true;
  }
  h.returned += h.stock;  // expired: given back with the next lease
  h.stock = 0;
  if (down_) {
    if (!h.fallback) {
      const double rate = h.rate > 0 ? h.rate : config_.rate_per_second;
      h.fallback.emplace(rate / static_cast<double>(live_workers_), 1.0, now);
    }
    return h.fallback->try_take(now, wait);
  }
  if (now < h.next_ask) {
    wait = h.next_ask - now;
    return false;
  }
  if (!h.wanted && !h.asking) {
    h.wanted = true;
    wake_.notify_one();
  }
  wait = lease_poll;
  return false;
}

void shared_host_rate::finish(const std::string& host, clock::time_point now, long http_status,
                              std::optional<std::chrono::milliseconds> retry_after) {
  const bool pushed_back = http_status == 429 || http_status == 503;
  std::lock_guard lock(mutex_);
  host_state& h = hosts_.try_emplace(host).first->second;
  bool tell = false;
  if (pushed_back && retry_after && retry_after->count() > 0) {
    const auto pause = std::min(*retry_after, config_.max_pause);
    if (now + pause > h.paused_until) h.paused_until = now + pause;
    h.returned += h.stock;  // not to be spent during the pause
    h.stock = 0;
    h.pause_ms = std::max<long long>(h.pause_ms, pause.count());
    tell = true;
  }
  if (config_.adaptive) {
    if (pushed_back) {
      h.push_back = true;
      tell = true;
      if (h.fallback)
        h.fallback->set_rate(std::max(config_.floor_per_second, h.fallback->rate() * config_.decrease), now);
    } else if (http_status > 0) {
      ++h.accepted;
    }
  }
  if (tell && !down_) wake_.notify_one();
}

bool shared_host_rate::has_work() const {
  return std::any_of(hosts_.begin(), hosts_.end(), [](const auto& entry) {
    return entry.second.wanted || entry.second.pause_ms > 0 || entry.second.push_back;
  });
}

void shared_host_rate::run() {
  reconnect_backoff backoff;
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (down_) {
      // The fallback buckets carry the workers meanwhile; what was to be shared is dropped (a
      // pause is already in force here, and stale by the time Redis is back).
      wake_.wait_for(lock, backoff.next(), [this] { return stopping_; });
      if (stopping_) break;
      lock.unlock();
      const bool back = !connection_.connect().has_value();
      lock.lock();
      if (!back) continue;
      down_ = false;
      backoff.reset();
      for (auto& [host, h] : hosts_) {
        h.fallback.reset();
        h.next_ask = {};
        h.returned = 0;
        h.pause_ms = 0;
        h.push_back = false;
      }
      outages_.report_up(this);
      continue;
    }
    wake_.wait(lock, [this] { return stopping_ || has_work(); });
    if (stopping_) break;
    std::vector<task> tasks;
    for (auto& [host, h] : hosts_) {
      if (!h.wanted && h.pause_ms == 0 && !h.push_back) continue;
      task t;
      t.host = host;
      t.lease = h.wanted;
      t.pause_ms = h.pause_ms;
      t.push_back = h.push_back;
      if (h.wanted) {
        t.returned = std::exchange(h.returned, 0);
        t.accepted = std::exchange(h.accepted, 0);
        h.wanted = false;
        h.asking = true;
      }
      h.pause_ms = 0;
      h.push_back = false;
      tasks.push_back(std::move(t));
    }
    lock.unlock();
    std::string failure = talk(tasks);
    const auto now = clock::now();
    lock.lock();
    for (const task& t : tasks) {
      host_state& h = hosts_[t.host];
      if (!t.lease) continue;
      h.asking = false;
      if (!t.answered) continue;
      ++leases_;
      live_workers_ = std::max(1LL, t.workers);
      if (t.rate > 0) h.rate = t.rate;
      if (t.granted > 0) {
        h.stock += t.granted;
        h.stock_until = now + plan_.valid;
      } else {
        h.next_ask = now + std::chrono::milliseconds(std::max(1LL, t.wait_ms));
      }
    }
    if (!failure.empty()) went_down(failure);
  }
}

// Runs on the lease thread without mutex_: shares the pauses and push-backs first (so a lease in
// the same round already sees them), then leases. Returns why Redis failed, or empty.
std::string shared_host_rate::talk(std::vector<task>& tasks) {
  if (!connection_.connected()) {
    if (auto failed = connection_.connect()) return failed->message;
  }
  const std::string adaptive = config_.adaptive ? "1" : "0";
  for (const task& t : tasks) {
    if (t.pause_ms == 0 && !t.push_back) continue;
    redis_result r =
        runner_.run(scripts::host_push_back, {keys_.pause_prefix + t.host, keys_.hostrate, keys_.meta},
                    {t.host, std::to_string(t.pause_ms), t.push_back ? adaptive : "0", number(config_.decrease),
                     number(config_.floor_per_second), number(config_.rate_per_second), std::to_string(plan_.burst),
                     config_.identity.field, config_.identity.value});
    if (!r.ok()) return r.error->message;
  }
  for (task& t : tasks) {
    if (!t.lease) continue;
    redis_result r = runner_.run(
        scripts::host_lease,
        {keys_.hostrate, keys_.pause_prefix + t.host, keys_.hostrate_workers, keys_.hostrate_taken, keys_.meta},
        {t.host, number(config_.rate_per_second), std::to_string(plan_.burst), std::to_string(plan_.batch),
         std::to_string(t.returned), std::to_string(t.accepted), number(config_.increase_per_s), config_.consumer,
         adaptive, config_.identity.field, config_.identity.value});
    if (!r.ok()) return r.error->message;
    reply_view v = r.view();
    if (!v.is_array() || v.size() < 4) return "an unexpected answer to the host-rate script";
    t.answered = true;
    t.granted = v[0].integer();
    t.wait_ms = v[1].integer();
    t.workers = v[2].integer();
    t.rate = std::strtod(std::string(v[3].text()).c_str(), nullptr);
  }
  return {};
}

// mutex_ held. Workers switch to their fallback buckets at their next try_take.
void shared_host_rate::went_down(const std::string& why) {
  down_ = true;
  outages_.report_down(this, why);
  outages_.warn_once(
      fmt::format("host rates: while Redis is unreachable each host gets this worker's share of the job's rate, "
                  "--host-rate / {} live workers (with one worker the whole rate)",
                  live_workers_));
}

}  // namespace serentak::queue
