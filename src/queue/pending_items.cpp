#include "queue/pending_items.hpp"

#include <optional>

#include "queue/item_entries.hpp"
#include "queue/job_admin.hpp"

namespace serentak::queue {
namespace {

// As read_status: a lost connection, LOADING and BUSY are outages (`status --watch` waits them out),
// a refusal is not.
void check(const redis_result& r, const redis_connection& connection) {
  if (r.ok()) return;
  const redis_error& e = *r.error;
  if (e.what == redis_error::kind::io) throw job_error(e.message, true);
  const std::string at = "Redis at " + connection.endpoint().display();
  if (e.is_loading()) throw job_error(at + ": " + e.message, false, true);
  if (e.is_refusal()) throw job_error(at + " refused a read job status needs: " + e.message);
  throw job_error(at + ": " + e.message, true);
}

}  // namespace

std::size_t pending_items::items() const {
  std::size_t n = 0;
  for (const pending_entry& e : entries) n += e.items.size();
  return n;
}

pending_items read_pending_items(redis_connection& connection, const job_keys& keys, std::size_t limit) {
  pending_items out;
  redis_result list = connection.command({"XPENDING", keys.items, consumer_group, "-", "+", std::to_string(limit)});
  if (!list.ok() && list.error->message.find("NOGROUP") != std::string::npos) return out;  // nothing delivered yet
  check(list, connection);
  reply_view pending = list.view();
  out.truncated = pending.size() >= limit;
  for (std::size_t k = 0; k < pending.size(); ++k) {
    pending_entry e;
    e.id = std::string(pending[k][0].text());
    e.consumer = std::string(pending[k][1].text());
    e.idle_ms = pending[k][2].integer();
    connection.append({"XRANGE", keys.items, e.id, e.id});
    out.entries.push_back(std::move(e));
  }
  if (out.entries.empty()) return out;
  std::vector<redis_result> bodies = connection.read_replies();
  // Every reply checked before anything more is sent: an error must not leave commands unread on
  // the connection (`status --watch` keeps it), whose replies the next refresh would take for its own.
  for (const redis_result& body : bodies) check(body, connection);
  std::vector<std::pair<std::size_t, std::size_t>> asked;  // (entry, item) whose record HEXISTS checks
  for (std::size_t k = 0; k < bodies.size() && k < out.entries.size(); ++k) {
    if (bodies[k].view().size() == 0) continue;  // acknowledged and gone since
    std::optional<entry_items> fields = read_entry_items(bodies[k].view()[0][1]);
    if (!fields) continue;  // not a push's: the worker that reads it acknowledges it
    pending_entry& e = out.entries[k];
    for (std::size_t m = 0; m < fields->items.size(); ++m)
      e.items.emplace_back(fields->first + m, std::move(fields->items[m]));
    // An entry of one item is acknowledged with its record, in the same script.
    if (e.items.size() < 2) continue;
    for (std::size_t m = 0; m < e.items.size(); ++m) {
      connection.append({"HEXISTS", keys.records, std::to_string(e.items[m].first)});
      asked.emplace_back(k, m);
    }
  }
  if (asked.empty()) return out;
  std::vector<redis_result> recorded = connection.read_replies();
  for (const redis_result& r : recorded) check(r, connection);
  std::vector<std::vector<bool>> done(out.entries.size());
  for (std::size_t k = 0; k < out.entries.size(); ++k) done[k].assign(out.entries[k].items.size(), false);
  for (std::size_t a = 0; a < recorded.size() && a < asked.size(); ++a) {
    if (recorded[a].view().integer() == 1) done[asked[a].first][asked[a].second] = true;
  }
  for (std::size_t k = 0; k < out.entries.size(); ++k) {
    auto& items = out.entries[k].items;
    std::size_t kept = 0;
    for (std::size_t m = 0; m < items.size(); ++m)
      if (!done[k][m]) items[kept++] = std::move(items[m]);
    items.resize(kept);
  }
  return out;
}

}  // namespace serentak::queue
