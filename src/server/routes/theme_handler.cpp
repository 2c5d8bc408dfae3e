#include "server/routes/theme_handler.hpp"

#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "core/log_text.hpp"
#include "core/message_template.hpp"
#include "scenario/builtin_scenarios.hpp"
#include "server/routes/flask_json.hpp"
#include "core/python_upper.hpp"
#include "core/query_string.hpp"

namespace serentak::server {
namespace {

using nlohmann::ordered_json;

constexpr std::string_view delay_placeholder = "{delay}";
constexpr std::string_view key_placeholder = "{key}";

std::string format_delay(double seconds) { return fmt::format("{:.2f}", seconds); }

void check_template(std::string_view tmpl, std::string_view what, std::string_view path) {
  if (auto problem = validate_template(tmpl)) {
    throw std::invalid_argument(fmt::format("route {}: bad {} template: {}", path, what, *problem));
  }
}

// Replaces "{key}" and "{delay}" in every string of value, in one pass, so a key that itself
// contains "{delay}" stays as typed.
void substitute(ordered_json& value, std::string_view key, std::string_view delay_text) {
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    if (text.find('{') == std::string::npos) return;
    std::string out;
    for (std::size_t pos = 0; pos < text.size();) {
      std::string_view rest = std::string_view(text).substr(pos);
      if (rest.starts_with(key_placeholder)) {
        out += key;
        pos += key_placeholder.size();
      } else if (rest.starts_with(delay_placeholder)) {
        out += delay_text;
        pos += delay_placeholder.size();
      } else {
        out.push_back(text[pos++]);
      }
    }
    value = std::move(out);
  } else if (value.is_structured()) {
    for (auto& member : value) substitute(member, key, delay_text);
  }
}

bool contains_placeholder(const ordered_json& value) {
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    return text.find(delay_placeholder) != std::string::npos || text.find(key_placeholder) != std::string::npos;
  }
  if (value.is_structured()) {
    for (const auto& member : value) {
      if (contains_placeholder(member)) return true;
    }
  }
  return false;
}

std::string canned_body(const canned_answer& answer, std::string_view key, std::string_view delay_text) {
  ordered_json body = answer.body;
  substitute(body, key, delay_text);
  return jsonify_body(body);
}

// The route's rules with their items folded as the route folds requests' items.
std::vector<fault_rule> folded_rules(const scenario_route& route) {
  std::vector<fault_rule> rules = route.faults;
  for (fault_rule& rule : rules) {
    if (auto problem = rule.problem()) {
      throw std::invalid_argument(fmt::format("route {}: fault {}", route.path, *problem));
    }
    if (rule.item) rule.item = fold_case(*rule.item, route.folding);
  }
  return rules;
}

route_faults faults_of(const scenario_route& route, const delay_model& delays, attempt_counter* attempts) {
  if (!route.faults.empty() && attempts == nullptr) {
    throw std::invalid_argument(fmt::format("route {}: faults need an attempt counter", route.path));
  }
  static attempt_counter unused{0};  // never touched: decide() returns at once without rules
  return route_faults(route.path, folded_rules(route), delays, attempts != nullptr ? *attempts : unused);
}

void check_latency(const scenario_route& route) {
  if (auto problem = route.latency.problem()) {
    throw std::invalid_argument(fmt::format("route {}: latency {}", route.path, *problem));
  }
}

}  // namespace

std::string access_lines::request_line(std::string_view method, std::string_view target, int status) const {
  if (!enabled) return {};
  return fmt::format("[SERVER] {} {} -> {}\n", escape_for_log(method), escape_for_log(target), status);
}

std::string fault_line(const access_lines& lines, const fault_rule& rule, std::string_view path, std::string_view item,
                       std::uint64_t attempt, const std::string& delay_text) {
  if (!lines.enabled) return {};
  std::string what =
      rule.kind == fault_kind::status ? fmt::format("status {}", rule.status) : std::string(fault_name(rule.kind));
  std::string nth = attempt == 0 ? std::string("untracked") : std::to_string(attempt);
  return fmt::format("[SERVER] Fault {} on {} for item '{}', attempt {} (after {}s delay)\n", what,
                     escape_for_log(path), escape_for_log(item), nth, delay_text);
}

// ---- keyed_handler ---------------------------------------------------------------------------

keyed_handler::keyed_handler(scenario_route route, const delay_model& delays, access_lines lines,
                             attempt_counter* attempts)
    : route_(std::move(route)), delays_(delays), lines_(lines), faults_(faults_of(route_, delays, attempts)) {
  if (!route_.keyed()) throw std::invalid_argument(fmt::format("route {}: a keyed route needs a param", route_.path));
  if (!route_.records.is_object()) {
    throw std::invalid_argument(fmt::format("route {}: records is not a JSON object", route_.path));
  }
  const auto& records = route_.records.get_ref<const ordered_json::object_t&>();
  keys_.reserve(records.size());
  for (const auto& [key, record] : records) {
    if (!record.is_object()) {
      throw std::invalid_argument(fmt::format("route {}: record {} is not a JSON object", route_.path, key));
    }
    keys_.push_back(key);
    records_.emplace(key, &record);
  }
  if (keys_.empty() && !route_.missing) {
    throw std::invalid_argument(fmt::format("route {}: a random pick needs at least one record", route_.path));
  }
  check_template(route_.lines.found, "found", route_.path);
  check_template(route_.lines.random, "random", route_.path);
  check_template(route_.lines.not_found, "not_found", route_.path);
  check_template(route_.lines.missing, "missing", route_.path);
  check_latency(route_);
}

keyed_handler::keyed_handler(const themes::keyed_route& route, const delay_model& delays, access_lines lines)
    : keyed_handler(route_of(route), delays, lines) {}

const nlohmann::ordered_json* keyed_handler::record(std::string_view key) const {
  auto found = records_.find(key);
  return found == records_.end() ? nullptr : found->second;
}

std::string keyed_handler::line(std::string_view tmpl, std::string_view key, std::string_view record,
                                const std::string& delay_text, const request_info& request, int status) const {
  if (!lines_.enabled) return {};
  if (tmpl.empty()) return lines_.request_line(request.method, request.target, status);
  template_context context;
  context.set("key", escape_for_log(key)).set("record", escape_for_log(record)).set("delay", delay_text);
  std::string out = "[SERVER] ";
  out += render_template(tmpl, context);
  out.push_back('\n');
  return out;
}

response_plan keyed_handler::answer_record(std::string key, std::string_view line_template, response_plan plan,
                                           const std::string& delay_text) const {
  // A copy: the shared record is never written, so concurrent requests need no lock.
  ordered_json record = *records_.find(key)->second;
  record[route_.param] = key;
  plan.status = 200;
  plan.body = jsonify_body(record);
  if (lines_.enabled && !line_template.empty()) {
    template_context context;
    context.set("key", escape_for_log(key)).set("record", escape_for_log(python_repr(record))).set("delay", delay_text);
    plan.access_line = "[SERVER] " + render_template(line_template, context) + "\n";
  }
  return plan;
}

response_plan keyed_handler::handle(const request_info& request) const {
  std::optional<std::string> value = query_get(request.query, route_.param);
  std::string_view item = value ? std::string_view(*value) : std::string_view{};

  // As the seed does: the delay comes first, whatever the answer (400s included).
  double delay = delays_.delay_s(route_.path, item, route_.latency);
  std::string delay_text = format_delay(delay);
  response_plan plan;
  plan.delay = to_duration(delay);
  plan.route = route_.path;

  // Python's `if city_param:`: absent and "" both take the missing branch.
  std::string key = item.empty() ? std::string() : fold_case(item, route_.folding);
  route_faults::decision fault = faults_.decide(key);

  if (!item.empty()) {
    if (records_.find(key) != records_.end()) {
      plan = answer_record(key, route_.lines.found, std::move(plan), delay_text);
      if (plan.access_line.empty()) plan.access_line = line({}, key, {}, delay_text, request, plan.status);
    } else {
      plan.status = route_.not_found.status;
      plan.body = canned_body(route_.not_found, key, delay_text);
      plan.access_line = line(route_.lines.not_found, key, {}, delay_text, request, plan.status);
    }
  } else if (!route_.missing) {  // weather: a random record instead of a 400
    std::string picked(keys_[delays_.pick(route_.path, item, keys_.size())]);
    plan = answer_record(std::move(picked), route_.lines.random, std::move(plan), delay_text);
    if (plan.access_line.empty()) plan.access_line = line({}, {}, {}, delay_text, request, plan.status);
  } else {
    plan.status = route_.missing->status;
    plan.body = canned_body(*route_.missing, {}, delay_text);
    plan.access_line = line(route_.lines.missing, {}, {}, delay_text, request, plan.status);
  }
  if (fault.rule != nullptr) {
    apply_fault(fault, plan);
    plan.access_line = fault_line(lines_, *fault.rule, route_.path, key, fault.attempt, delay_text);
  }
  return plan;
}

// ---- fixed_handler ---------------------------------------------------------------------------

fixed_handler::fixed_handler(scenario_route route, const delay_model& delays, access_lines lines,
                             attempt_counter* attempts)
    : route_(std::move(route)), delays_(delays), lines_(lines), faults_(faults_of(route_, delays, attempts)) {
  if (route_.keyed()) throw std::invalid_argument(fmt::format("route {}: a fixed route has no param", route_.path));
  body_has_delay_ = contains_placeholder(route_.answer.body);
  if (!body_has_delay_) fixed_body_ = jsonify_body(route_.answer.body);
  check_latency(route_);
}

fixed_handler::fixed_handler(const themes::fixed_route& route, const delay_model& delays, access_lines lines)
    : fixed_handler(route_of(route), delays, lines) {}

response_plan fixed_handler::handle(const request_info& request) const {
  double delay = delays_.delay_s(route_.path, {}, route_.latency);
  std::string delay_text = format_delay(delay);
  response_plan plan;
  plan.status = route_.answer.status;
  plan.delay = to_duration(delay);
  plan.route = route_.path;
  route_faults::decision fault = faults_.decide({});
  plan.body = body_has_delay_ ? canned_body(route_.answer, {}, delay_text) : fixed_body_;
  plan.access_line = lines_.request_line(request.method, request.target, plan.status);
  if (fault.rule != nullptr) {
    apply_fault(fault, plan);
    plan.access_line = fault_line(lines_, *fault.rule, route_.path, {}, fault.attempt, delay_text);
  }
  return plan;
}

}  // namespace serentak::server
