#include "monitor/check_source.hpp"

#include <string>
#include <utility>

#include "monitor/request_group.hpp"

namespace serentak::monitor {

check_source::check_source(const monitor_config& config, std::vector<std::size_t> endpoints, clock::time_point start,
                           clock::time_point ready)
    : config_(config), endpoints_(std::move(endpoints)), scheduler_(start, ready), tickets_(endpoints_.size()) {
  for (std::size_t i = 0; i < endpoints_.size(); ++i) {
    scheduler_.add(config_.endpoints[endpoints_[i]].plan());  // id i: added in order
    tickets_[i].endpoint = endpoints_[i];
  }
}

client::fetch_request check_source::request_for(std::size_t index) const {
  return client::fetch_request{index, std::string(literal_item), config_.endpoints[endpoints_[index]].url};
}

std::optional<client::fetch_request> check_source::next() {
  // The engine calls next() only when a slot is free and sends the request at once: now is the
  // check's start, and start - due is its lag.
  const auto now = clock::now();
  const auto wall = std::chrono::system_clock::now();
  std::lock_guard lock(mutex_);
  if (draining_) return std::nullopt;
  if (!rechecks_.empty()) {
    const std::size_t index = rechecks_.front();
    rechecks_.pop_front();
    ++rechecks_started_;
    tickets_[index].timing = check_timing{now, now};
    tickets_[index].started_wall = wall;
    tickets_[index].recheck = true;
    return request_for(index);
  }
  std::optional<due_tick> tick = scheduler_.pop_due(now);
  if (!tick) return std::nullopt;
  check_ticket& t = tickets_[tick->endpoint];
  t.timing = check_timing{tick->due, now};
  t.started_wall = wall;
  t.recheck = false;
  return request_for(tick->endpoint);
}

std::optional<check_source::clock::time_point> check_source::next_due() {
  std::lock_guard lock(mutex_);
  if (draining_) return std::nullopt;  // exhausted, for good
  if (!rechecks_.empty()) return clock::now();
  // Nothing scheduled (an empty group) is still not the end: the run lasts until it is stopped.
  return scheduler_.next_due().value_or(clock::now() + std::chrono::seconds(1));
}

void check_source::drain() {
  std::lock_guard lock(mutex_);
  draining_ = true;
}

check_ticket check_source::ticket(std::size_t index) const {
  std::lock_guard lock(mutex_);
  return tickets_.at(index);
}

void check_source::finish(std::size_t index) {
  std::lock_guard lock(mutex_);
  scheduler_.finish(index);
}

void check_source::recheck(std::size_t index) {
  std::lock_guard lock(mutex_);
  rechecks_.push_back(index);
}

source_counters check_source::counters() const {
  std::lock_guard lock(mutex_);
  source_counters out;
  for (std::size_t i = 0; i < endpoints_.size(); ++i) {
    const schedule_counters& c = scheduler_.counters(i);
    out.started += c.started;
    out.skipped_busy += c.skipped_busy;
    out.skipped_late += c.skipped_late;
  }
  out.rechecks = rechecks_started_;
  return out;
}

}  // namespace serentak::monitor
