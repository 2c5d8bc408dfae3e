#include "web/dashboard_state.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace serentak::web {
namespace {

std::optional<std::uint64_t> parse_u64(std::string_view text) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::uint64_t now_ms() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

std::int64_t hours_since_epoch(wall_time t) {
  return std::chrono::duration_cast<std::chrono::hours>(t.time_since_epoch()).count();
}

}  // namespace

std::optional<event_cursor> parse_event_id(std::string_view text) {
  const std::size_t dot = text.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  auto epoch = parse_u64(text.substr(0, dot));
  auto version = parse_u64(text.substr(dot + 1));
  if (!epoch || !version) return std::nullopt;
  return event_cursor{*epoch, *version};
}

std::string event_id(const event_cursor& cursor) { return fmt::format("{}.{}", cursor.epoch, cursor.version); }

dashboard_state::dashboard_state(const monitor::monitor_config& config, std::size_t delta_capacity)
    : epoch_(now_ms()),
      delta_capacity_(std::max<std::size_t>(delta_capacity, 1)),
      view_("table"),
      max_endpoints_(0),
      view_json_(dump_json(nlohmann::json(view_))) {
  endpoints_.reserve(config.endpoints.size());
  for (const monitor::endpoint_config& e : config.endpoints) {
    index_.emplace(e.name, endpoints_.size());
    endpoint_view v;
    v.name = e.name;
    v.group = e.group;
    endpoints_.push_back(std::move(v));
  }
  texts_.resize(endpoints_.size());
  text_hours_.assign(endpoints_.size(), -1);  // rendered at the first read
}

dashboard_state::dashboard_state(std::string view, std::string group, std::size_t max_endpoints,
                                 std::size_t delta_capacity)
    : epoch_(now_ms()),
      delta_capacity_(std::max<std::size_t>(delta_capacity, 1)),
      view_(std::move(view)),
      group_(std::move(group)),
      max_endpoints_(max_endpoints),
      view_json_(dump_json(nlohmann::json(view_))) {}

void dashboard_state::restore(monitor::history_store& store, wall_time now) {
  store.roll_up_closed_hours(now, now - std::chrono::hours(24 * 31));
  const auto states = store.load_states();
  const wall_time month_ago = now - std::chrono::hours(24 * 30);
  const wall_time this_hour = monitor::hour_of(now);
  // Two queries for all endpoints, not two per endpoint: at 10,000 endpoints with 7 days of roll-ups
  // (1.68 million rows) the per-endpoint reads, each decoding every hour's histogram, took 4.8 s.
  const auto closed_hours = store.rollup_tallies(month_ago, this_hour);
  const auto current_hour = store.check_tallies(this_hour);
  std::lock_guard lock(mutex_);
  for (endpoint_view& v : endpoints_) {
    if (auto it = states.find(v.name); it != states.end()) v.state = it->second.state;
  }
  for (const auto* tallies : {&closed_hours, &current_hour}) {
    for (const monitor::hour_tally& t : *tallies) {
      auto it = index_.find(t.endpoint);
      if (it != index_.end() && t.count > 0) endpoints_[it->second].uptime.add(t.hour, t.count, t.failures);
    }
  }
  for (std::size_t i = 0; i < endpoints_.size(); ++i) refresh_locked(i, now);  // before any stream asks
}

void dashboard_state::on_check(const monitor::check_update& update) {
  const wall_time now = std::chrono::system_clock::now();
  std::lock_guard lock(mutex_);
  auto it = index_.find(update.endpoint.name);
  if (it == index_.end()) return;
  endpoints_[it->second].apply(update);
  publish_locked(it->second, now);
}

void dashboard_state::on_item(const client::item_report& report) noexcept {
  const wall_time now = std::chrono::system_clock::now();
  try {
    std::lock_guard lock(mutex_);
    std::string name(report.item);
    auto it = index_.find(name);
    if (it == index_.end()) {
      if (endpoints_.size() >= max_endpoints_) return;  // the cap: the picture stays bounded
      endpoint_view v;
      v.name = name;
      v.group = group_;
      // The three vectors first, the index last; a failed allocation puts them all back to `at`, so
      // no index entry ever points past their end and they stay the same length.
      const std::size_t at = endpoints_.size();
      try {
        endpoints_.push_back(std::move(v));
        texts_.emplace_back();
        text_hours_.push_back(-1);
        it = index_.emplace(std::move(name), at).first;
      } catch (...) {
        endpoints_.resize(std::min(endpoints_.size(), at));
        texts_.resize(std::min(texts_.size(), at));
        text_hours_.resize(std::min(text_hours_.size(), at));
        throw;
      }
    }
    endpoints_[it->second].apply_item(report, now);
    publish_locked(it->second, now);
  } catch (...) {
    // Out of memory: the run goes on; the dashboard misses this item's news.
  }
}

void dashboard_state::publish_locked(std::size_t i, wall_time now) {
  refresh_locked(i, now);  // rendered once here, not once per stream
  ++version_;
  deltas_.emplace_back(version_, i);
  if (deltas_.size() > delta_capacity_) deltas_.pop_front();
  published_.store(version_, std::memory_order_release);
}

void dashboard_state::refresh_locked(std::size_t i, wall_time now) const {
  texts_[i] = dump_json(endpoints_[i].to_json(now));
  text_hours_[i] = hours_since_epoch(now);
}

void dashboard_state::append_locked(std::string& out, std::size_t i, std::int64_t hour, wall_time now) const {
  // Only a text never rendered is rendered here. One from an earlier hour is served as it is: its
  // uptime windows move at the endpoint's next check (on_check renders it again). Rendering every
  // stale text here, under the lock, would stall every engine thread once an hour at 10,000
  // endpoints (the checks' on_check waits on this lock).
  (void)hour;
  if (text_hours_[i] < 0) refresh_locked(i, now);
  out += texts_[i];
}

dashboard_event dashboard_state::since(const std::optional<event_cursor>& cursor) const {
  const bool resumable = cursor && cursor->epoch == epoch_;
  if (resumable && cursor->version == version()) return {};  // the common case: nothing new, no lock
  const wall_time now = std::chrono::system_clock::now();
  const std::int64_t hour = hours_since_epoch(now);
  dashboard_event event;
  std::lock_guard lock(mutex_);
  event.cursor = {epoch_, version_};
  if (resumable && cursor->version == version_) return {};
  event.data = fmt::format(R"({{"epoch":{},"version":{},"view":{},"endpoints":[)", epoch_, version_,
                           view_json_);
  // The ring holds every version after front - 1: the cursor must be at least that.
  if (resumable && cursor->version < version_ && !deltas_.empty() && deltas_.front().first <= cursor->version + 1) {
    std::vector<std::size_t> changed;
    for (auto it = deltas_.rbegin(); it != deltas_.rend() && it->first > cursor->version; ++it) {
      changed.push_back(it->second);
    }
    std::sort(changed.begin(), changed.end());
    changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
    for (std::size_t n = 0; n < changed.size(); ++n) {
      if (n > 0) event.data += ',';
      append_locked(event.data, changed[n], hour, now);
    }
    event.what = dashboard_event::kind::delta;
  } else {
    event.data.reserve(event.data.size() + total_bytes_hint_);
    for (std::size_t i = 0; i < endpoints_.size(); ++i) {
      if (i > 0) event.data += ',';
      append_locked(event.data, i, hour, now);
    }
    total_bytes_hint_ = event.data.size();
    event.what = dashboard_event::kind::snapshot;
  }
  event.data += "]}";
  return event;
}

std::string dashboard_state::snapshot_json() const { return since(std::nullopt).data; }

std::optional<badge_facts> dashboard_state::badge(std::string_view name) const {
  std::lock_guard lock(mutex_);
  auto it = index_.find(std::string(name));
  if (it == index_.end()) return std::nullopt;
  const endpoint_view& v = endpoints_[it->second];
  return badge_facts{v.state, v.uptime.over_hours(std::chrono::system_clock::now(), 24)};
}

bool dashboard_state::has(std::string_view name) const {
  std::lock_guard lock(mutex_);
  return index_.find(std::string(name)) != index_.end();
}

}  // namespace serentak::web
