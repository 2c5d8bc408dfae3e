#include "server/theme_handler.hpp"

#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "core/log_text.hpp"
#include "core/message_template.hpp"
#include "server/flask_json.hpp"
#include "server/python_upper.hpp"
#include "server/query_string.hpp"

namespace serentak::server {
namespace {

using nlohmann::ordered_json;

constexpr std::string_view bad_request_error = "bad_request";  // every seed's 400 "error"
constexpr std::string_view delay_placeholder = "{delay}";

std::string format_delay(double seconds) { return fmt::format("{:.2f}", seconds); }

void check_template(std::string_view tmpl, std::string_view what, std::string_view path) {
  if (auto problem = validate_template(tmpl)) {
    throw std::invalid_argument(fmt::format("route {}: bad {} template: {}", path, what, *problem));
  }
}

ordered_json error_body(std::string_view error, std::string message) {
  return ordered_json{{"error", error}, {"message", std::move(message)}};
}

// Replaces "{delay}" in every string of value (the health story's "...slowly after {delay}s.").
void substitute_delay(ordered_json& value, const std::string& delay_text) {
  if (value.is_string()) {
    auto& text = value.get_ref<std::string&>();
    for (auto pos = text.find(delay_placeholder); pos != std::string::npos;
         pos = text.find(delay_placeholder, pos + delay_text.size())) {
      text.replace(pos, delay_placeholder.size(), delay_text);
    }
  } else if (value.is_structured()) {
    for (auto& member : value) substitute_delay(member, delay_text);
  }
}

bool contains_delay(const ordered_json& value) {
  if (value.is_string()) return value.get_ref<const std::string&>().find(delay_placeholder) != std::string::npos;
  if (value.is_structured()) {
    for (const auto& member : value) {
      if (contains_delay(member)) return true;
    }
  }
  return false;
}

}  // namespace

std::string access_lines::request_line(std::string_view method, std::string_view target, int status) const {
  if (!enabled) return {};
  return fmt::format("[SERVER] {} {} -> {}\n", escape_for_log(method), escape_for_log(target), status);
}

// ---- keyed_handler ---------------------------------------------------------------------------

keyed_handler::keyed_handler(const themes::keyed_route& route, const delay_model& delays, access_lines lines)
    : route_(route), delays_(delays), lines_(lines) {
  auto records = ordered_json::parse(route.records_json, nullptr, false);
  if (records.is_discarded() || !records.is_object()) {
    throw std::invalid_argument(fmt::format("route {}: records_json is not a JSON object", route.path));
  }
  for (auto& [key, record] : records.items()) {
    if (!record.is_object()) {
      throw std::invalid_argument(fmt::format("route {}: record {} is not a JSON object", route.path, key));
    }
    keys_.push_back(key);
    records_.emplace(key, record);
  }
  if (keys_.empty() && route.missing_message.empty()) {
    throw std::invalid_argument(fmt::format("route {}: a random pick needs at least one record", route.path));
  }
  check_template(route.not_found_message, "not_found_message", route.path);
  check_template(route.found_line, "found_line", route.path);
  check_template(route.random_line, "random_line", route.path);
  check_template(route.not_found_line, "not_found_line", route.path);
  check_template(route.missing_line, "missing_line", route.path);
}

const nlohmann::ordered_json* keyed_handler::record(std::string_view key) const {
  auto found = records_.find(key);
  return found == records_.end() ? nullptr : &found->second;
}

std::string keyed_handler::line(std::string_view tmpl, std::string_view key, std::string_view record,
                                const std::string& delay_text) const {
  if (!lines_.enabled || tmpl.empty()) return {};
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
  ordered_json record = records_.find(key)->second;
  record[std::string(route_.param)] = key;
  plan.status = 200;
  plan.body = jsonify_body(record);
  plan.access_line = line(line_template, key, lines_.enabled ? python_repr(record) : std::string{}, delay_text);
  return plan;
}

response_plan keyed_handler::handle(const request_info& request) const {
  std::optional<std::string> value = query_get(request.query, route_.param);
  std::string_view item = value ? std::string_view(*value) : std::string_view{};

  // As the seed does: the delay comes first, whatever the answer (400s included).
  double delay = delays_.delay_s(route_.path, item, route_.delay);
  std::string delay_text = format_delay(delay);
  response_plan plan;
  plan.delay = to_duration(delay);

  if (!item.empty()) {  // Python's `if city_param:` — absent and "" both take the else branch
    std::string key = route_.upper_case ? python_upper(item) : std::string(item);
    if (records_.find(key) != records_.end()) {
      return answer_record(std::move(key), route_.found_line, std::move(plan), delay_text);
    }
    template_context context;
    context.set("key", key);
    plan.status = 404;
    plan.body = jsonify_body(error_body(route_.not_found_error, render_template(route_.not_found_message, context)));
    plan.access_line = line(route_.not_found_line, key, {}, delay_text);
    return plan;
  }
  if (route_.missing_message.empty()) {  // weather: a random record instead of a 400
    std::string key = keys_[delays_.pick(route_.path, item, keys_.size())];
    return answer_record(std::move(key), route_.random_line, std::move(plan), delay_text);
  }
  plan.status = 400;
  plan.body = jsonify_body(error_body(bad_request_error, std::string(route_.missing_message)));
  plan.access_line = line(route_.missing_line, {}, {}, delay_text);
  return plan;
}

// ---- fixed_handler ---------------------------------------------------------------------------

fixed_handler::fixed_handler(const themes::fixed_route& route, const delay_model& delays, access_lines lines)
    : route_(route), delays_(delays), lines_(lines) {
  body_ = ordered_json::parse(route.body_json, nullptr, false);
  if (body_.is_discarded() || !body_.is_object()) {
    throw std::invalid_argument(fmt::format("route {}: body_json is not a JSON object", route.path));
  }
  body_has_delay_ = contains_delay(body_);
  if (!body_has_delay_) fixed_body_ = jsonify_body(body_);
}

response_plan fixed_handler::handle(const request_info& request) const {
  double delay = delays_.delay_s(route_.path, {}, route_.delay);
  response_plan plan;
  plan.status = route_.status;
  plan.delay = to_duration(delay);
  if (body_has_delay_) {
    ordered_json body = body_;
    substitute_delay(body, format_delay(delay));
    plan.body = jsonify_body(body);
  } else {
    plan.body = fixed_body_;
  }
  plan.access_line = lines_.request_line(request.method, request.target, plan.status);
  return plan;
}

}  // namespace serentak::server
