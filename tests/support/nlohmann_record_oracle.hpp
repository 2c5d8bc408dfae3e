#pragma once
// The reading of a JSONL results record through nlohmann's document, as parse_record did it before
// it read the members without one (core/json_members): the oracle its tests and its fuzz target
// compare it with. Header-only, so the fuzz targets can include it without the test support library.

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result_record.hpp"

namespace serentak::testing {

inline std::optional<stored_record> nlohmann_record(std::string_view line) {
  auto parsed = nlohmann::json::parse(line, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
  auto index = parsed.find("index");
  auto item = parsed.find("item");
  auto url = parsed.find("url");
  auto kind = parsed.find("outcome");
  auto status = parsed.find("status");
  auto attempts = parsed.find("attempts");
  auto latency = parsed.find("latency_ms");
  auto end = parsed.end();
  if (index == end || item == end || url == end || kind == end || status == end || attempts == end || latency == end)
    return std::nullopt;
  if (!index->is_number_unsigned() || !item->is_string() || !url->is_string() || !kind->is_string() ||
      !status->is_number_integer() || !attempts->is_number_integer() || !latency->is_number())
    return std::nullopt;
  auto named = outcome_from_string(kind->get_ref<const std::string&>());
  if (!named) return std::nullopt;
  stored_record r;
  r.index = index->get<std::size_t>();
  r.item = item->get<std::string>();
  r.url = url->get<std::string>();
  r.kind = *named;
  r.http_status = status->get<long>();
  r.attempts = attempts->get<int>();
  r.latency = stored_latency(latency->get<double>());
  if (auto round = parsed.find("round"); round != parsed.end() && round->is_number_unsigned())
    r.round = round->get<std::size_t>();
  return r;
}

// The old recorded_index: an unsigned "index" and an "outcome" of any type.
inline std::optional<std::size_t> nlohmann_recorded_index(std::string_view line) {
  auto parsed = nlohmann::json::parse(line, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
  auto it = parsed.find("index");
  if (it == parsed.end() || !it->is_number_unsigned() || !parsed.contains("outcome")) return std::nullopt;
  return it->get<std::size_t>();
}

inline bool same_record(const std::optional<stored_record>& a, const std::optional<stored_record>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;
  return a->index == b->index && a->item == b->item && a->url == b->url && a->kind == b->kind &&
         a->http_status == b->http_status && a->attempts == b->attempts && a->latency == b->latency &&
         a->round == b->round;
}

}  // namespace serentak::testing
