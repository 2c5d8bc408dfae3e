#include "core/results_spec.hpp"

#include <nlohmann/json.hpp>

#include "core/log_text.hpp"

namespace serentak {
namespace {

nlohmann::ordered_json spec_json(const results_spec& spec) {
  return nlohmann::ordered_json{{"method", spec.method},
                                {"url", spec.url},
                                {"headers", spec.headers},
                                {"body_sha256", spec.body_sha256},
                                {"theme", spec.theme}};
}

constexpr auto replace_invalid_utf8 = nlohmann::json::error_handler_t::replace;

}  // namespace

std::string results_preamble(const results_spec& spec, result_format format, bool with_round) {
  nlohmann::ordered_json line{{"serentak_results", results_file_version}, {"spec", spec_json(spec)}};
  std::string text = line.dump(-1, ' ', false, replace_invalid_utf8);
  if (format == result_format::csv) return "#" + text + "\n" + csv_header(with_round);
  return text + "\n";
}

std::size_t preamble_lines(result_format format) noexcept { return format == result_format::csv ? 2 : 1; }

std::optional<results_spec> parse_spec_line(std::string_view line, result_format format) {
  if (format == result_format::csv) {
    if (!line.starts_with('#')) return std::nullopt;
    line.remove_prefix(1);
  }
  auto parsed = nlohmann::json::parse(line, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
  auto version = parsed.find("serentak_results");
  auto spec = parsed.find("spec");
  if (version == parsed.end() || !version->is_number_unsigned() || spec == parsed.end() || !spec->is_object()) {
    return std::nullopt;
  }
  results_spec out;
  try {
    out.method = spec->value("method", "");
    out.url = spec->value("url", "");
    out.headers = spec->value("headers", std::vector<std::string>{});
    out.body_sha256 = spec->value("body_sha256", "");
    out.theme = spec->value("theme", "");
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;  // a field of the wrong type
  }
  return out;
}

std::string spec_difference(const results_spec& recorded, const results_spec& current) {
  auto differs = [](std::string_view name, const std::string& a, const std::string& b) {
    return std::string(name) + " '" + escape_for_log(a) + "' (this run: '" + escape_for_log(b) + "')";
  };
  auto joined = [](const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& name : names) out += (out.empty() ? "" : ",") + name;
    return out;
  };
  if (recorded.theme != current.theme) return differs("command", recorded.theme, current.theme);
  if (recorded.method != current.method) return differs("method", recorded.method, current.method);
  if (recorded.url != current.url) return differs("URL", recorded.url, current.url);
  if (recorded.headers != current.headers) return differs("header names", joined(recorded.headers), joined(current.headers));
  if (recorded.body_sha256 != current.body_sha256) {
    return differs("body SHA-256", recorded.body_sha256, current.body_sha256);
  }
  return "";
}

}  // namespace serentak
