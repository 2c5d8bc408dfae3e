#include "queue/item_entries.hpp"

#include <algorithm>
#include <charconv>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "queue/job_admin.hpp"

namespace serentak::queue {
namespace {

// Items are at most 64 KiB: a page's reply (1,000 items) stays within about 64 MB.
constexpr std::size_t page = 1000 / items_per_entry;

// push_generations, "<generation>:<first index> ...", into (generation, first index) in order; "1:0"
// when absent. Malformed parts are skipped: the read then finds entries missing and gives up.
std::vector<std::pair<std::string, std::size_t>> generations(std::string_view text) {
  std::vector<std::pair<std::string, std::size_t>> out;
  while (!text.empty()) {
    const std::size_t space = text.find(' ');
    const std::string_view part = text.substr(0, space);
    text = space == std::string_view::npos ? std::string_view{} : text.substr(space + 1);
    const std::size_t colon = part.find(':');
    if (colon == std::string_view::npos) continue;
    std::size_t first = 0;
    const std::string_view number = part.substr(colon + 1);
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), first);
    if (ec != std::errc() || end != number.data() + number.size()) continue;
    out.emplace_back(std::string(part.substr(0, colon)), first);
  }
  if (out.empty()) out.emplace_back("1", 0);
  return out;
}

}  // namespace

std::optional<entry_items> read_entry_items(reply_view fields) {
  entry_items out;
  bool have_index = false;
  for (std::size_t f = 0; f + 1 < fields.size(); f += 2) {
    if (fields[f].text() == "i") {
      const auto number = fields[f + 1].whole_number();
      have_index = number.has_value();
      if (number) out.first = *number;
    } else if (fields[f].text() == "item") {
      out.items.emplace_back(fields[f + 1].text());
    } else if (fields[f].text() == "d") {
      out.prior_deliveries = static_cast<long long>(fields[f + 1].whole_number().value_or(0));
    }
  }
  if (!have_index || out.items.empty()) return std::nullopt;
  return out;
}

std::optional<std::string> pushed_items_digest(redis_connection& connection, const job_keys& keys, std::size_t count) {
  redis_result meta = connection.command({"HGET", keys.meta, "push_generations"});
  if (!meta.ok() && meta.error->what == redis_error::kind::io) throw job_error(meta.error->message, true);
  if (!meta.ok()) return std::nullopt;
  const auto ranges = generations(meta.view().is_nil() ? "1:0" : meta.view().text());
  items_digest digest;
  std::size_t next = 0;  // the index the next entry must have
  for (std::size_t r = 0; r < ranges.size() && next < count; ++r) {
    const auto& [generation, first] = ranges[r];
    if (first != next) return std::nullopt;
    const std::size_t end = std::min(count, r + 1 < ranges.size() ? ranges[r + 1].second : count);
    while (next < end) {
      redis_result got = connection.command({"XRANGE", keys.items, fmt::format("{}-{}", generation, next),
                                             fmt::format("{}-{}", generation, end - 1), "COUNT", std::to_string(page)});
      if (!got.ok() && got.error->what == redis_error::kind::io) throw job_error(got.error->message, true);
      if (!got.ok() || got.view().size() == 0) return std::nullopt;
      for (std::size_t k = 0; k < got.view().size(); ++k) {
        const std::optional<entry_items> entry = read_entry_items(got.view()[k][1]);
        if (!entry || entry->first != next) return std::nullopt;
        for (std::size_t m = 0; m < entry->items.size() && next < end; ++m, ++next) digest.add(entry->items[m]);
      }
    }
  }
  if (next != count) return std::nullopt;
  return digest.hex();
}

std::vector<std::optional<std::string>> pushed_items_at(redis_connection& connection, const job_keys& keys,
                                                        const std::vector<std::size_t>& indexes) {
  std::vector<std::optional<std::string>> items(indexes.size());
  if (indexes.empty()) return items;
  redis_result meta = connection.command({"HGET", keys.meta, "push_generations"});
  if (!meta.ok()) throw job_error(meta.error->message, meta.error->what == redis_error::kind::io);
  const auto ranges = generations(meta.view().is_nil() ? "1:0" : meta.view().text());
  for (std::size_t index : indexes) {
    std::string generation = ranges.front().first;
    for (const auto& [g, first] : ranges)
      if (first <= index) generation = g;
    // The push's entry holding it: the last one of its generation that starts at or before it.
    connection.append(
        {"XREVRANGE", keys.items, fmt::format("{}-{}", generation, index), generation + "-0", "COUNT", "1"});
  }
  std::vector<redis_result> replies = connection.read_replies();
  for (std::size_t k = 0; k < replies.size() && k < items.size(); ++k) {
    const redis_result& r = replies[k];
    if (!r.ok()) throw job_error(r.error->message, r.error->what == redis_error::kind::io);
    if (r.view().size() == 0) continue;
    std::optional<entry_items> entry = read_entry_items(r.view()[0][1]);
    if (entry && entry->first <= indexes[k] && indexes[k] - entry->first < entry->items.size())
      items[k] = std::move(entry->items[indexes[k] - entry->first]);
  }
  return items;
}

}  // namespace serentak::queue
