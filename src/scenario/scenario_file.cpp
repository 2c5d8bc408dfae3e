#include "scenario/scenario_file.hpp"

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <map>
#include <sstream>
#include <utility>

#include <fmt/format.h>

#include "core/bounded_file.hpp"
#include "core/log_text.hpp"
#include "core/message_template.hpp"

namespace serentak::server {
namespace {

using nlohmann::ordered_json;

constexpr std::size_t max_scenario_file_bytes = 64 * 1024 * 1024;  // a table of records, not a dump

// One JSON object being read strictly: every key must be one of `allowed`, each value of the right
// type; errors name the source and the JSON path ("routes[2].latency.sigma").
class object_reader {
 public:
  object_reader(const ordered_json& value, std::string_view source, std::string path,
                std::initializer_list<std::string_view> allowed)
      : value_(value), source_(source), path_(std::move(path)) {
    if (!value.is_object()) fail(path_, "must be a JSON object");
    for (const auto& [key, member] : value.items()) {
      bool known = false;
      for (std::string_view a : allowed) known = known || a == key;
      if (!known) {
        std::string names;
        for (std::string_view a : allowed) names += (names.empty() ? "" : ", ") + std::string(a);
        fail(at(key), fmt::format("unknown key (expected one of: {})", names));
      }
    }
  }

  [[noreturn]] void fail(const std::string& path, std::string_view problem) const {
    throw scenario_error(fmt::format("{}: {}: {}", escape_for_log(source_),
                                     path.empty() ? "(top level)" : escape_for_log(path), problem));
  }

  std::string at(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }
  const std::string& path() const noexcept { return path_; }
  std::string_view source() const noexcept { return source_; }

  const ordered_json* find(std::string_view key) const {
    auto it = value_.find(key);
    return it == value_.end() ? nullptr : &*it;
  }

  const ordered_json& required(std::string_view key) const {
    const ordered_json* v = find(key);
    if (v == nullptr) fail(at(key), "is required");
    return *v;
  }

  std::string string(std::string_view key, std::string fallback, bool needed = false) const {
    const ordered_json* v = needed ? &required(key) : find(key);
    if (v == nullptr) return fallback;
    if (!v->is_string()) fail(at(key), "must be a string");
    return v->get<std::string>();
  }

  double number(std::string_view key, double fallback, bool needed = false) const {
    const ordered_json* v = needed ? &required(key) : find(key);
    if (v == nullptr) return fallback;
    if (!v->is_number()) fail(at(key), "must be a number");
    return v->get<double>();
  }

  std::uint64_t count(std::string_view key, std::uint64_t fallback, std::uint64_t min, std::uint64_t max) const {
    const ordered_json* v = find(key);
    if (v == nullptr) return fallback;
    return count_value(*v, at(key), min, max);
  }

  // A route's or fault's status: see sendable_status().
  int status(std::string_view key, int fallback) const {
    const ordered_json* v = find(key);
    if (v == nullptr) return fallback;
    std::int64_t n = 0;  // 0 for anything not a whole number in range: refused below
    if (v->is_number_unsigned()) {
      n = v->get<std::uint64_t>() <= 599 ? static_cast<std::int64_t>(v->get<std::uint64_t>()) : 0;
    } else if (v->is_number_integer()) {
      n = v->get<std::int64_t>();
    }
    if (!sendable_status(n)) {
      fail(at(key), "must be a whole number from 100 to 599 that allows a body (not 1xx, 204 or 304)");
    }
    return static_cast<int>(n);
  }

  std::uint64_t count_value(const ordered_json& v, const std::string& path, std::uint64_t min,
                            std::uint64_t max) const {
    if (!v.is_number_integer()) fail(path, fmt::format("must be a whole number from {} to {}", min, max));
    if (v.is_number_unsigned()) {
      auto n = v.get<std::uint64_t>();
      if (n >= min && n <= max) return n;
    } else {
      auto n = v.get<std::int64_t>();
      if (n >= 0 && static_cast<std::uint64_t>(n) >= min && static_cast<std::uint64_t>(n) <= max) {
        return static_cast<std::uint64_t>(n);
      }
    }
    fail(path, fmt::format("must be a whole number from {} to {}", min, max));
  }

 private:
  const ordered_json& value_;
  std::string_view source_;
  std::string path_;
};

latency_model parse_latency(const ordered_json& value, std::string_view source, const std::string& path,
                            bool nested = false) {
  std::string name;
  if (value.is_object()) {
    auto model_name = value.find("model");
    if (model_name != value.end() && model_name->is_string()) name = model_name->get<std::string>();
  }
  latency_model out;
  if (name == "fixed") {
    object_reader r(value, source, path, {"model", "seconds"});
    out = latency_model::fixed(r.number("seconds", 0, true));
  } else if (name == "uniform") {
    object_reader r(value, source, path, {"model", "min_s", "max_s"});
    out = latency_model::uniform(r.number("min_s", 0, true), r.number("max_s", 0, true));
  } else if (name == "lognormal") {
    object_reader r(value, source, path, {"model", "median_s", "sigma", "cap_s"});
    out =
        latency_model::lognormal(r.number("median_s", 0, true), r.number("sigma", 0, true), r.number("cap_s", 0, true));
  } else if (name == "mix" && !nested) {
    object_reader r(value, source, path, {"model", "parts"});
    const ordered_json& parts = r.required("parts");
    if (!parts.is_array()) r.fail(r.at("parts"), "must be an array of {\"share\": ..., \"latency\": {...}}");
    std::vector<latency_share> shares;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      object_reader part(parts[i], source, fmt::format("{}[{}]", r.at("parts"), i), {"share", "latency"});
      double share = part.number("share", 0, true);
      shares.push_back({share, parse_latency(part.required("latency"), source, part.at("latency"), true)});
    }
    out = latency_model::mix(std::move(shares));
  } else {
    object_reader r(value, source, path, {"model", "seconds", "min_s", "max_s", "median_s", "sigma", "cap_s", "parts"});
    r.fail(r.at("model"), nested && name == "mix" ? "a mix part cannot itself be a mix"
                                                  : "must be \"fixed\", \"uniform\", \"lognormal\" or \"mix\"");
  }
  if (auto problem = out.problem()) {
    throw scenario_error(fmt::format("{}: {}.{}", escape_for_log(source), escape_for_log(path), *problem));
  }
  return out;
}

canned_answer parse_answer(const ordered_json& value, std::string_view source, const std::string& path,
                           canned_answer fallback) {
  object_reader r(value, source, path, {"status", "body"});
  canned_answer out = std::move(fallback);
  out.status = r.status("status", out.status);
  if (const ordered_json* body = r.find("body")) out.body = *body;
  return out;
}

case_folding parse_folding(const object_reader& r) {
  std::string name = r.string("case", "none");
  if (name == "none") return case_folding::none;
  if (name == "upper") return case_folding::upper;
  if (name == "lower") return case_folding::lower;
  r.fail(r.at("case"), "must be \"none\", \"upper\" or \"lower\"");
}

std::string parse_template(const object_reader& r, std::string_view key) {
  std::string text = r.string(key, "");
  if (auto problem = validate_template(text)) r.fail(r.at(key), "bad template: " + *problem);
  return text;
}

// value is the parsed file's own route: its records are moved out, not copied (a million of them
// is a legal scenario).
scenario_route parse_route(ordered_json& value, std::string_view source, const std::string& path) {
  bool keyed = value.is_object() && value.contains("param");
  object_reader r =
      keyed ? object_reader(value, source, path,
                            {"path", "param", "case", "records", "not_found", "missing", "latency", "log", "faults"})
            : object_reader(value, source, path, {"path", "status", "body", "latency", "faults"});
  scenario_route out;
  out.path = r.string("path", "", true);
  if (out.path.empty() || out.path.front() != '/') r.fail(r.at("path"), "must start with '/'");
  if (out.path.find_first_of("?#") != std::string::npos) r.fail(r.at("path"), "must not contain '?' or '#'");
  if (keyed) {
    out.param = r.string("param", "", true);
    if (out.param.empty()) r.fail(r.at("param"), "must not be empty");
    out.folding = parse_folding(r);
    const ordered_json& records = r.required("records");
    if (!records.is_object()) r.fail(r.at("records"), "must be a JSON object: key -> record");
    for (const auto& [key, record] : records.items()) {
      if (!record.is_object()) r.fail(r.at("records") + "." + key, "must be a JSON object (the record)");
    }
    out.records = std::move(value.at("records"));
    out.not_found = {404, ordered_json{{"error", "not_found"}, {"message", "'{key}' not found."}}};
    if (const ordered_json* nf = r.find("not_found"))
      out.not_found = parse_answer(*nf, source, r.at("not_found"), out.not_found);
    out.missing = canned_answer{400, ordered_json{{"error", "bad_request"},
                                                  {"message", fmt::format("Parameter '{}' is required.", out.param)}}};
    if (const ordered_json* missing = r.find("missing")) {
      if (missing->is_string()) {
        if (*missing != "random") r.fail(r.at("missing"), "must be \"random\" or {\"status\": ..., \"body\": ...}");
        out.missing.reset();
      } else {
        out.missing = parse_answer(*missing, source, r.at("missing"), *out.missing);
      }
    }
    if (!out.missing && out.records.empty()) r.fail(r.at("missing"), "\"random\" needs at least one record");
    if (const ordered_json* log = r.find("log")) {
      object_reader lr(*log, source, r.at("log"), {"found", "random", "not_found", "missing"});
      out.lines = {parse_template(lr, "found"), parse_template(lr, "random"), parse_template(lr, "not_found"),
                   parse_template(lr, "missing")};
    }
  } else {
    out.answer.status = r.status("status", 200);
    if (const ordered_json* body = r.find("body")) out.answer.body = *body;
  }
  if (const ordered_json* latency = r.find("latency")) out.latency = parse_latency(*latency, source, r.at("latency"));
  if (const ordered_json* faults = r.find("faults")) {
    if (!faults->is_array()) r.fail(r.at("faults"), "must be an array of fault objects");
    for (std::size_t i = 0; i < faults->size(); ++i) {
      out.faults.push_back(parse_fault((*faults)[i], source, fmt::format("{}[{}]", r.at("faults"), i)));
    }
  }
  return out;
}

std::string_view folding_name(case_folding folding) {
  switch (folding) {
    case case_folding::upper:
      return "upper";
    case case_folding::lower:
      return "lower";
    case case_folding::none:
      break;
  }
  return "none";
}

ordered_json to_json(const canned_answer& answer) {
  return ordered_json{{"status", answer.status}, {"body", answer.body}};
}

}  // namespace

fault_rule parse_fault(const ordered_json& value, std::string_view source, const std::string& path) {
  object_reader r(value, source, path,
                  {"kind", "share", "item", "attempt", "status", "body", "retry_after_s", "bytes_per_second", "bytes",
                   "limit_per_second"});
  fault_rule out;
  std::string kind = r.string("kind", "", true);
  auto parsed = fault_kind_named(kind);
  if (!parsed) {
    r.fail(r.at("kind"), "must be one of: status, reset, close, truncate, malformed-json, html, drip, hang, huge, limit");
  }
  out.kind = *parsed;
  out.share = r.number("share", 1.0);
  if (const ordered_json* item = r.find("item")) {
    if (!item->is_string()) r.fail(r.at("item"), "must be a string");
    out.item = item->get<std::string>();
  }
  if (const ordered_json* attempt = r.find("attempt")) {
    constexpr std::uint64_t most = std::numeric_limits<std::uint32_t>::max();
    if (attempt->is_array()) {
      if (attempt->size() != 2) r.fail(r.at("attempt"), "must be a number or [first, last]");
      out.attempt_min = r.count_value((*attempt)[0], r.at("attempt") + "[0]", 1, most);
      out.attempt_max = r.count_value((*attempt)[1], r.at("attempt") + "[1]", 1, most);
    } else {
      out.attempt_min = out.attempt_max = r.count_value(*attempt, r.at("attempt"), 1, most);
    }
  }
  out.status = r.status("status", 503);
  if (r.find("status") != nullptr && out.kind != fault_kind::status) {
    r.fail(r.at("status"), "only a \"status\" fault has a status");
  }
  if (const ordered_json* body = r.find("body")) out.body = *body;
  if (r.find("retry_after_s") != nullptr) out.retry_after_s = r.count("retry_after_s", 0, 0, max_retry_after_s);
  out.bytes_per_second = r.count("bytes_per_second", 0, 0, std::numeric_limits<std::uint32_t>::max());
  out.bytes = r.count("bytes", 0, 0, max_huge_body_bytes);
  out.limit_per_second = r.number("limit_per_second", 0.0);
  if (auto problem = out.problem()) {
    throw scenario_error(fmt::format("{}: {}.{}", escape_for_log(source), escape_for_log(path), *problem));
  }
  return out;
}

// parse_json: json_parse.cpp (linear in the text's size).

scenario parse_scenario(std::string_view text, std::string_view source) {
  ordered_json value;
  try {
    value = parse_json(text);
  } catch (const json_text_error& e) {
    throw scenario_error(fmt::format("{}: {}", escape_for_log(source), escape_for_log(e.what())));
  }
  object_reader r(value, source, "", {"name", "routes"});
  scenario out;
  out.source = std::string(source);
  out.name = r.string("name", "");
  if (!r.required("routes").is_array() || r.required("routes").empty()) {
    r.fail("routes", "must be a non-empty array of routes");
  }
  ordered_json& routes = value.at("routes");
  for (std::size_t i = 0; i < routes.size(); ++i) {
    out.routes.push_back(parse_route(routes[i], source, fmt::format("routes[{}]", i)));
  }
  // A path twice in one file is an error too. Checked in place: a copy of the scenario (for a
  // one-element vector) would copy every record.
  std::map<std::string_view, std::size_t> paths;  // path -> its route's position
  for (const scenario_route& route : out.routes) {
    if (!paths.emplace(route.path, 0).second) {
      throw scenario_error(fmt::format("route {} is declared twice in {}", escape_for_log(route.path),
                                       escape_for_log(out.source)));
    }
  }
  return out;
}

scenario load_scenario_file(const std::string& file) {
  // Bounded while it is read, not after: /dev/zero or an endless FIFO cost 64 MiB, not all memory.
  std::string text;
  try {
    text = read_bounded_file(file, max_scenario_file_bytes);
  } catch (const file_read_error& e) {
    throw scenario_error(fmt::format("{}: {}", escape_for_log(file), e.what()));
  }
  return parse_scenario(text, file);
}

ordered_json to_json(const latency_model& model) {
  switch (model.model) {
    case latency_model::kind::fixed:
      return ordered_json{{"model", "fixed"}, {"seconds", model.seconds}};
    case latency_model::kind::uniform:
      return ordered_json{{"model", "uniform"}, {"min_s", model.min_s}, {"max_s", model.max_s}};
    case latency_model::kind::lognormal:
      return ordered_json{
          {"model", "lognormal"}, {"median_s", model.median_s}, {"sigma", model.sigma}, {"cap_s", model.cap_s}};
    case latency_model::kind::mix: {
      ordered_json parts = ordered_json::array();
      for (const latency_share& part : model.parts) {
        parts.push_back(ordered_json{{"share", part.share}, {"latency", to_json(part.latency)}});
      }
      return ordered_json{{"model", "mix"}, {"parts", std::move(parts)}};
    }
  }
  return {};
}

ordered_json to_json(const fault_rule& rule) {
  ordered_json out{{"kind", fault_name(rule.kind)}};
  if (rule.share != 1.0) out["share"] = rule.share;
  if (rule.item) out["item"] = *rule.item;
  if (rule.attempt_min != 0) {
    if (rule.attempt_min == rule.attempt_max) {
      out["attempt"] = rule.attempt_min;
    } else {
      out["attempt"] = ordered_json::array({rule.attempt_min, rule.attempt_max});
    }
  }
  if (rule.kind == fault_kind::status) out["status"] = rule.status;
  if (rule.body) out["body"] = *rule.body;
  if (rule.retry_after_s) out["retry_after_s"] = *rule.retry_after_s;
  if (rule.kind == fault_kind::drip) out["bytes_per_second"] = rule.bytes_per_second;
  if (rule.kind == fault_kind::huge) out["bytes"] = rule.bytes;
  if (rule.kind == fault_kind::limit) out["limit_per_second"] = rule.limit_per_second;
  return out;
}

ordered_json to_json(const scenario& s) {
  ordered_json routes = ordered_json::array();
  for (const scenario_route& route : s.routes) {
    ordered_json r{{"path", route.path}};
    if (route.keyed()) {
      r["param"] = route.param;
      r["case"] = folding_name(route.folding);
      r["records"] = route.records;
      r["not_found"] = to_json(route.not_found);
      r["missing"] = route.missing ? to_json(*route.missing) : ordered_json("random");
      r["latency"] = to_json(route.latency);
      r["log"] = ordered_json{{"found", route.lines.found},
                              {"random", route.lines.random},
                              {"not_found", route.lines.not_found},
                              {"missing", route.lines.missing}};
    } else {
      r["status"] = route.answer.status;
      r["body"] = route.answer.body;
      r["latency"] = to_json(route.latency);
    }
    ordered_json faults = ordered_json::array();
    for (const fault_rule& rule : route.faults) faults.push_back(to_json(rule));
    r["faults"] = std::move(faults);
    routes.push_back(std::move(r));
  }
  return ordered_json{{"name", s.name}, {"routes", std::move(routes)}};
}

std::vector<const scenario_route*> merged_routes(const std::vector<scenario>& scenarios) {
  std::vector<const scenario_route*> out;
  std::map<std::string_view, std::string_view> claimed;  // path -> source
  for (const scenario& s : scenarios) {
    for (const scenario_route& route : s.routes) {
      auto [it, fresh] = claimed.emplace(route.path, s.source);
      if (!fresh) {
        throw scenario_error(fmt::format("route {} is declared twice: in {} and in {}", escape_for_log(route.path),
                                         escape_for_log(it->second), escape_for_log(s.source)));
      }
      out.push_back(&route);
    }
  }
  return out;
}

}  // namespace serentak::server
