#pragma once
// The dashboard's picture of every endpoint, in memory, so no request ever queries the history
// per endpoint. Each judged check (the monitor's check_hook) updates its endpoint and bumps the
// version; the version and the endpoint's index go on a bounded ring of deltas, so an event stream
// that last saw version v gets only the endpoints changed since (or a full snapshot when v fell
// off the ring, or belongs to an earlier run of the monitor: ids carry the run's epoch).
// A theme run with --every --web (client/outputs/item_sink.hpp) feeds it the same way, one item at a
// time: its endpoints are the items, added as they first finish.
// Thread safety: one mutex, mutex_, guards index_, endpoints_, version_ and deltas_; every public member
// may be called from any thread. on_check takes it once, briefly: it updates the endpoint and
// renders its JSON text (one endpoint, tens of microseconds). A snapshot or delta holds it while it
// concatenates those texts (a memcpy of ~2 MB at 10,000 endpoints).

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "client/outputs/item_sink.hpp"
#include "monitor/check_observer.hpp"
#include "monitor/history_store.hpp"
#include "monitor/monitor_config.hpp"
#include "web/endpoint_view.hpp"

namespace serentak::web {

// Where an event stream stands: the run it was talking to and the last version it got.
struct event_cursor {
  std::uint64_t epoch = 0;
  std::uint64_t version = 0;
};

// "EPOCH.VERSION", the SSE id; nullopt when text is not one.
std::optional<event_cursor> parse_event_id(std::string_view text);
std::string event_id(const event_cursor& cursor);

struct dashboard_event {
  enum class kind { none, snapshot, delta };
  kind what = kind::none;
  event_cursor cursor;  // the id to send with it
  std::string data;     // one line of JSON
};

struct badge_facts {
  monitor::health state = monitor::health::unknown;
  std::optional<double> uptime_24h;
};

inline constexpr std::size_t theme_endpoints_max = 10000;  // a theme run's items shown; later ones are not

class dashboard_state final : public client::item_sink {
 public:
  // config must outlive this object. delta_capacity: changes remembered for resuming streams.
  explicit dashboard_state(const monitor::monitor_config& config, std::size_t delta_capacity = 8192);
  // A theme run's picture: no endpoint until an item finishes; each item's group is group (the
  // command), the page's view is view ("table", "pizza_board", "weather_tiles"). At most
  // max_endpoints distinct items are shown.
  dashboard_state(std::string view, std::string group, std::size_t max_endpoints = theme_endpoints_max,
                  std::size_t delta_capacity = 8192);

  // Before the checks run: each endpoint's saved state and last change, and its uptime from the
  // roll-ups of the last 30 days plus the current hour's checks. Closed hours the writer has not
  // rolled up yet are rolled up first. Throws history_error.
  void restore(monitor::history_store& store, wall_time now);

  void on_check(const monitor::check_update& update);
  // A theme run's finished item: its endpoint made at its first report (until max_endpoints).
  void on_item(const client::item_report& report) noexcept override;

  // What a stream at cursor must get next: none (nothing new), the endpoints changed since, or a
  // snapshot (no cursor, another run's cursor, or one older than the ring).
  dashboard_event since(const std::optional<event_cursor>& cursor) const;
  // {"epoch", "version", "view", "endpoints": [...]}: /api/v1/endpoints and the stream's snapshot.
  std::string snapshot_json() const;
  std::optional<badge_facts> badge(std::string_view name) const;
  bool has(std::string_view name) const;

  std::uint64_t epoch() const noexcept { return epoch_; }
  std::uint64_t version() const noexcept { return published_.load(std::memory_order_acquire); }

 private:
  void refresh_locked(std::size_t i, wall_time now) const;  // renders texts_[i]
  void append_locked(std::string& out, std::size_t i, std::int64_t hour, wall_time now) const;
  void publish_locked(std::size_t i, wall_time now);      // renders i, bumps the version, rings the delta

  const std::uint64_t epoch_;  // this run's start, ms since the epoch
  const std::size_t delta_capacity_;
  const std::string view_;      // the page's view; immutable
  const std::string group_;     // a theme run's items' group; immutable
  const std::size_t max_endpoints_;  // a theme run's cap; a monitor's endpoints are all made at construction
  const std::string view_json_;      // view_ as a JSON string, encoded once

  mutable std::mutex mutex_;  // guards index_, endpoints_, texts_, text_hours_, total_bytes_hint_, version_, deltas_
  std::unordered_map<std::string, std::size_t> index_;  // name -> position; grows only (theme runs)
  std::vector<endpoint_view> endpoints_;
  // Each endpoint's JSON, rendered when it changes (and again when the hour turns, for its uptime
  // windows), so a snapshot is a concatenation and 50 streams cost one render per check, not 50.
  mutable std::vector<std::string> texts_;
  mutable std::vector<std::int64_t> text_hours_;  // the hour (since the epoch) texts_[i] was rendered in
  mutable std::size_t total_bytes_hint_ = 0;      // the last snapshot's size, to reserve the next
  std::uint64_t version_ = 0;
  std::deque<std::pair<std::uint64_t, std::size_t>> deltas_;  // (version, endpoint), oldest first
  std::atomic<std::uint64_t> published_{0};  // version_, readable without the lock (a stream's quick "anything new?")
};

}  // namespace serentak::web
