#include "scenario/fault_spec.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/log_text.hpp"
#include "core/query_string.hpp"
#include "core/token_bucket.hpp"
#include "scenario/scenario_file.hpp"

namespace serentak::server {
namespace {

[[noreturn]] void fail(std::string_view spec, std::string_view problem) {
  constexpr std::size_t most = 200;  // a long body= need not be echoed whole
  std::string shown = escape_for_log(spec.substr(0, most));
  if (spec.size() > most) shown += "...";
  throw std::invalid_argument(fmt::format("--fault '{}': {}", shown, problem));
}

std::optional<std::uint64_t> whole_number(std::string_view text) {
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return n;
}

std::optional<double> decimal(std::string_view text) {
  double x = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), x);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty() || !std::isfinite(x)) return std::nullopt;
  return x;
}

// "1000", "64k", "10M", "1G" (binary multiples).
std::optional<std::uint64_t> byte_count(std::string_view text) {
  std::uint64_t unit = 1;
  if (!text.empty()) {
    switch (text.back()) {
      case 'k':
      case 'K':
        unit = 1ULL << 10;
        break;
      case 'm':
      case 'M':
        unit = 1ULL << 20;
        break;
      case 'g':
      case 'G':
        unit = 1ULL << 30;
        break;
      default:
        break;
    }
    if (unit != 1) text.remove_suffix(1);
  }
  auto n = whole_number(text);
  if (!n || *n > std::numeric_limits<std::uint64_t>::max() / unit) return std::nullopt;
  return *n * unit;
}

bool set_kind(fault_option& out, bool& have_kind, fault_kind kind, std::string_view spec) {
  if (have_kind) fail(spec, "names two kinds of fault; give one per --fault");
  have_kind = true;
  out.rule.kind = kind;
  return true;
}

}  // namespace

fault_option parse_fault_spec(std::string_view spec) {
  fault_option out;
  out.spec = std::string(spec);
  std::size_t colon = spec.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    fail(spec, "expected ROUTE:FIELD:..., e.g. profiles:user_id=1121:attempt=1:503:retry-after=1");
  }
  out.route = std::string(spec.substr(0, colon));
  bool have_kind = false;
  std::string_view rest = spec.substr(colon + 1);
  while (!rest.empty()) {
    std::size_t end = rest.find(':');
    std::string_view field = rest.substr(0, end);
    if (field.starts_with("body=")) {  // JSON may contain ':': the body takes the rest of the spec
      field = rest;
      end = std::string_view::npos;
    }
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    if (field.empty()) fail(spec, "has an empty field (two ':' in a row)");
    std::size_t eq = field.find('=');
    std::string_view name = field.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? std::string_view{} : field.substr(eq + 1);

    if (eq == std::string_view::npos) {
      if (field.back() == '%') {
        auto percent = decimal(field.substr(0, field.size() - 1));
        if (!percent || *percent < 0 || *percent > 100) fail(spec, "a share must be 0% to 100%");
        out.rule.share = *percent / 100.0;
      } else if (auto status = whole_number(field)) {
        if (!sendable_status(static_cast<std::int64_t>(std::min<std::uint64_t>(*status, 1000)))) {
          fail(spec, "a status must be 100-599 and allow a body (not 1xx, 204 or 304)");
        }
        set_kind(out, have_kind, fault_kind::status, spec);
        out.rule.status = static_cast<int>(*status);
      } else if (auto kind = fault_kind_named(field); kind && *kind != fault_kind::status) {
        if (*kind == fault_kind::drip || *kind == fault_kind::huge || *kind == fault_kind::limit) {
          fail(spec, fmt::format("{} needs a size: {}=N", field, field));
        }
        set_kind(out, have_kind, *kind, spec);
      } else {
        fail(spec, fmt::format("unknown field '{}' (expected N%, a status, reset, close, truncate, "
                               "malformed-json, html, hang, drip=N, huge=N, limit=R/s, item=V, attempt=N)",
                               escape_for_log(field)));
      }
    } else if (name == "share") {
      auto share = decimal(value);
      if (!share || *share < 0 || *share > 1) fail(spec, "share= must be a number in [0, 1]");
      out.rule.share = *share;
    } else if (name == "attempt") {
      std::size_t dash = value.find('-');
      auto first = whole_number(value.substr(0, dash));
      auto last = dash == std::string_view::npos ? first : whole_number(value.substr(dash + 1));
      if (!first || !last || *first < 1 || *last < *first || *last > std::numeric_limits<std::uint32_t>::max()) {
        fail(spec, "attempt= must be N or N-M with 1 <= N <= M");
      }
      out.rule.attempt_min = *first;
      out.rule.attempt_max = *last;
    } else if (name == "retry-after") {
      auto seconds = whole_number(value);
      if (!seconds || *seconds > max_retry_after_s) fail(spec, "retry-after= must be whole seconds, 0-86400");
      out.rule.retry_after_s = *seconds;
    } else if (name == "drip") {
      auto rate = byte_count(value);
      if (!rate || *rate == 0 || *rate > std::numeric_limits<std::uint32_t>::max()) {
        fail(spec, "drip= must be bytes per second, > 0");
      }
      set_kind(out, have_kind, fault_kind::drip, spec);
      out.rule.bytes_per_second = *rate;
    } else if (name == "limit") {
      auto rate = parse_rate(value);
      if (!rate || *rate > max_limit_per_second) fail(spec, "limit= must be a rate above 0, e.g. 50/s, 300/m or 100/h");
      set_kind(out, have_kind, fault_kind::limit, spec);
      out.rule.limit_per_second = *rate;
    } else if (name == "huge") {
      auto bytes = byte_count(value);
      if (!bytes || *bytes == 0 || *bytes > max_huge_body_bytes) fail(spec, "huge= must be 1 byte to 64G");
      set_kind(out, have_kind, fault_kind::huge, spec);
      out.rule.bytes = *bytes;
    } else if (name == "body") {
      try {
        out.rule.body = parse_json(value);
      } catch (const json_text_error& e) {
        fail(spec, fmt::format("body= must be JSON (it takes the rest of the spec): {}", escape_for_log(e.what())));
      }
    } else if (!name.empty()) {  // item=V or <param>=V
      if (out.rule.item) fail(spec, "names two items");
      if (name != "item") out.param = std::string(name);
      out.rule.item = url_unquote(value, false);
    } else {
      fail(spec, "has a field starting with '='");
    }
  }
  if (!have_kind) fail(spec, "names no fault (a status such as 503, or reset, close, truncate, ...)");
  if (auto problem = out.rule.problem()) fail(spec, *problem);
  return out;
}

void attach_faults(std::vector<scenario>& scenarios, const std::vector<fault_option>& faults) {
  for (const fault_option& option : faults) {
    scenario_route* target = nullptr;
    for (scenario& s : scenarios) {
      for (scenario_route& route : s.routes) {
        if (route.path == option.route) target = &route;
      }
    }
    if (target == nullptr && !option.route.starts_with('/')) {
      for (scenario& s : scenarios) {
        if (s.name != option.route) continue;
        if (s.routes.size() != 1) {
          std::string paths;
          for (const scenario_route& route : s.routes) paths += (paths.empty() ? "" : ", ") + route.path;
          fail(option.spec, fmt::format("scenario {} has {} routes; name one by its path ({})", escape_for_log(s.name),
                                        s.routes.size(), escape_for_log(paths)));
        }
        target = &s.routes.front();
      }
    }
    if (target == nullptr) {
      std::string known;
      for (const scenario& s : scenarios) {
        for (const scenario_route& route : s.routes) known += (known.empty() ? "" : ", ") + route.path;
      }
      fail(option.spec, fmt::format("no route {} (routes: {})", escape_for_log(option.route), escape_for_log(known)));
    }
    if (!option.param.empty() && option.param != target->param) {
      fail(option.spec, target->keyed() ? fmt::format("route {} is keyed by '{}', not '{}'", target->path,
                                                      escape_for_log(target->param), escape_for_log(option.param))
                                        : fmt::format("route {} takes no parameter; use item= or none", target->path));
    }
    target->faults.push_back(option.rule);
  }
}

}  // namespace serentak::server
