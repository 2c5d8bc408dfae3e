#include "core/result_record.hpp"

#include <charconv>

#include <fmt/format.h>

#include "core/log_text.hpp"

namespace serentak {
namespace {

constexpr auto replace_invalid = nlohmann::json::error_handler_t::replace;

double latency_ms(const result_record& r) { return static_cast<double>(r.latency.count()) / 1000.0; }

// RFC 4180 quoting, after escaping control characters so a field never spans lines.
std::string csv_field(std::string_view raw) {
  std::string text = escape_for_log(raw);
  if (text.find_first_of(",\"") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

std::string data_text(const result_record& r) {
  if (r.data != nullptr) return r.data->dump(-1, ' ', false, replace_invalid);
  return std::string(utf8_prefix(r.body, snippet_chars));
}

}  // namespace

std::string format_record(const result_record& r, result_format format) {
  if (format == result_format::csv) {
    return fmt::format("{},{},{},{},{},{},{:.3f},{},{}\n", r.index, csv_field(r.item), csv_field(r.url), to_string(r.kind),
                       r.http_status, r.attempts, latency_ms(r), csv_field(r.error), csv_field(data_text(r)));
  }
  nlohmann::ordered_json j{{"index", r.index},
                           {"item", r.item},
                           {"url", r.url},
                           {"outcome", to_string(r.kind)},
                           {"status", r.http_status},
                           {"attempts", r.attempts},
                           {"latency_ms", latency_ms(r)}};
  if (!r.error.empty()) j["error"] = r.error;
  if (r.data != nullptr) {
    j["data"] = *r.data;
  } else if (!r.body.empty()) {
    j["snippet"] = std::string(utf8_prefix(r.body, snippet_chars));
  }
  return j.dump(-1, ' ', false, replace_invalid) + "\n";
}

std::string csv_header() { return "index,item,url,outcome,status,attempts,latency_ms,error,data\n"; }

std::optional<result_format> result_format_from_name(std::string_view name) {
  if (name == "jsonl" || name == "ndjson" || name == "json") return result_format::jsonl;
  if (name == "csv") return result_format::csv;
  return std::nullopt;
}

std::optional<result_format> result_format_for_path(std::string_view path) {
  auto dot = path.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  return result_format_from_name(path.substr(dot + 1));
}

std::optional<std::size_t> recorded_index(std::string_view line, result_format format) {
  if (format == result_format::csv) {
    auto comma = line.find(',');
    if (comma == std::string_view::npos || comma == 0) return std::nullopt;
    std::size_t index = 0;
    auto [ptr, ec] = std::from_chars(line.data(), line.data() + comma, index);
    if (ec != std::errc() || ptr != line.data() + comma) return std::nullopt;
    return index;
  }
  auto parsed = nlohmann::json::parse(line, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
  auto it = parsed.find("index");
  if (it == parsed.end() || !it->is_number_unsigned()) return std::nullopt;
  if (!parsed.contains("outcome")) return std::nullopt;
  return it->get<std::size_t>();
}

}  // namespace serentak
