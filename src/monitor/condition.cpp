#include "monitor/condition.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "monitor/condition_tree.hpp"
#include "monitor/duration_text.hpp"

namespace serentak::monitor {

using detail::condition_node;
using detail::operand;
using detail::placeholder;

struct check_input::json_holder {
  nlohmann::json value;
};

check_input::check_input(const check_result& result, const check_window* window,
                         std::chrono::steady_clock::time_point now)
    : result_(result), window_(window), now_(now) {}

check_input::~check_input() = default;

const nlohmann::json* check_input::body_json() {
  if (!parsed_) {
    parsed_ = true;
    auto parsed = nlohmann::json::parse(result_.body, nullptr, false);
    if (!parsed.is_discarded()) json_ = std::make_unique<json_holder>(json_holder{std::move(parsed)});
  }
  return json_ ? &json_->value : nullptr;
}

std::string condition_error::render() const { return fmt::format("column {}: {}", column, message); }

namespace {

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool header_name_equals(std::string_view stored, std::string_view lower_name) noexcept {
  if (stored.size() != lower_name.size()) return false;
  for (std::size_t i = 0; i < stored.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(stored[i])) != lower_name[i]) return false;
  }
  return true;
}

condition_value from_json(const nlohmann::json& j) {
  if (j.is_string()) return condition_value::of_text(j.get<std::string>());
  if (j.is_boolean()) return condition_value::of_bool(j.get<bool>());
  if (j.is_number()) return condition_value::of_number(j.get<double>());
  if (j.is_null()) return condition_value::of_text("null");
  return condition_value::of_text(j.dump());
}

std::string path_text(const std::vector<detail::path_step>& path, std::size_t upto) {
  std::string out = "[BODY]";
  for (std::size_t i = 0; i < upto; ++i) {
    out += path[i].index ? fmt::format("[{}]", *path[i].index) : "." + path[i].key;
  }
  return out;
}

// Walks a [BODY] path; nullptr and why when a step does not exist.
const nlohmann::json* walk(const nlohmann::json& root, const std::vector<detail::path_step>& path, std::string& why) {
  const nlohmann::json* at = &root;
  for (std::size_t i = 0; i < path.size(); ++i) {
    const auto& step = path[i];
    if (step.index) {
      if (!at->is_array()) {
        why = fmt::format("{} is not an array", path_text(path, i));
        return nullptr;
      }
      if (*step.index >= at->size()) {
        why = fmt::format("{} has {} items", path_text(path, i), at->size());
        return nullptr;
      }
      at = &(*at)[*step.index];
    } else {
      if (!at->is_object()) {
        why = fmt::format("{} is not an object", path_text(path, i));
        return nullptr;
      }
      auto it = at->find(step.key);
      if (it == at->end()) {
        why = fmt::format("no key '{}' in {}", step.key, path_text(path, i));
        return nullptr;
      }
      at = &*it;
    }
  }
  return at;
}

condition_value evaluate_ratio(const operand& o, check_input& input);

// Resolves a read, len() or has() of a placeholder.
condition_value resolve_ref(const operand& o, check_input& input) {
  const check_result& r = input.result();
  const bool has = o.type == operand::kind::has;
  const bool len = o.type == operand::kind::len;
  condition_value plain;
  switch (o.target) {
    case placeholder::status:
      plain = condition_value::of_number(static_cast<double>(r.status));
      break;
    case placeholder::response_time:
      plain = condition_value::of_number(static_cast<double>(r.response_time.count()) / 1000.0);
      break;
    case placeholder::connected:
      plain = condition_value::of_bool(r.connected);
      break;
    case placeholder::certificate_expiration:
      if (!r.certificate_expires_in) {
        if (has) return condition_value::of_bool(false);
        plain = condition_value::missing("no certificate read (not https, or no TLS handshake completed)");
      } else {
        auto left = std::chrono::duration_cast<std::chrono::seconds>(*r.certificate_expires_in);
        plain =
            condition_value::of_number(static_cast<double>(r.certificate_expires_in->count()),
                                       format_duration(std::chrono::duration_cast<std::chrono::milliseconds>(left)));
      }
      break;
    case placeholder::header: {
      auto it = std::find_if(r.headers.begin(), r.headers.end(),
                             [&](const auto& h) { return header_name_equals(h.first, o.header_name); });
      if (has) return condition_value::of_bool(it != r.headers.end());
      if (it == r.headers.end()) return condition_value::missing(fmt::format("no header '{}'", o.header_name));
      plain = condition_value::of_text(std::string(trim(it->second)));
      break;
    }
    case placeholder::body: {
      if (o.path.empty()) {
        const std::string_view body = trim(r.body);
        if (has) return condition_value::of_bool(!body.empty());
        if (len) {
          const auto* root = input.body_json();
          if (root != nullptr && (root->is_array() || root->is_object())) {
            return condition_value::of_number(static_cast<double>(root->size()));
          }
          return condition_value::of_number(static_cast<double>(body.size()));
        }
        return condition_value::of_text(std::string(body));
      }
      const auto* root = input.body_json();
      if (root == nullptr) return has ? condition_value::of_bool(false) : condition_value::missing("body is not JSON");
      std::string why;
      const nlohmann::json* at = walk(*root, o.path, why);
      if (has) return condition_value::of_bool(at != nullptr);
      if (at == nullptr) return condition_value::missing(why);
      if (len) {
        if (at->is_array() || at->is_object()) return condition_value::of_number(static_cast<double>(at->size()));
        if (at->is_string())
          return condition_value::of_number(static_cast<double>(at->get_ref<const std::string&>().size()));
        return condition_value::of_number(static_cast<double>(from_json(*at).render().size()));
      }
      return from_json(*at);
    }
  }
  if (has) return condition_value::of_bool(!plain.is_missing());
  if (len && !plain.is_missing()) return condition_value::of_number(static_cast<double>(plain.render().size()));
  return plain;
}

condition_value evaluate_percentile(const operand& o, check_input& input) {
  const check_window* w = input.window();
  if (w == nullptr) return condition_value::missing("no history");
  const auto& samples = w->samples();
  std::vector<double> ms;
  for (std::size_t i = w->first_within(input.now(), o.window); i < samples.size(); ++i) {
    ms.push_back(static_cast<double>(samples[i].response_time.count()) / 1000.0);
  }
  if (ms.empty()) return condition_value::missing(fmt::format("no checks in the last {}", format_duration(o.window)));
  // Nearest rank: the smallest value with at least q of the samples at or below it.
  auto rank = static_cast<std::size_t>(std::ceil(o.quantile * static_cast<double>(ms.size())));
  rank = std::clamp<std::size_t>(rank, 1, ms.size());
  std::nth_element(ms.begin(), ms.begin() + static_cast<std::ptrdiff_t>(rank - 1), ms.end());
  return condition_value::of_number(ms[rank - 1]);
}

condition_value resolve(const operand& o, check_input& input) {
  switch (o.type) {
    case operand::kind::literal:
      return o.literal;
    case operand::kind::read:
    case operand::kind::len:
    case operand::kind::has:
      return resolve_ref(o, input);
    case operand::kind::percentile:
      return evaluate_percentile(o, input);
    case operand::kind::ratio:
      return evaluate_ratio(o, input);
    case operand::kind::pattern:
    case operand::kind::any:
      break;  // matchers: handled by evaluate_node
  }
  return condition_value::missing("not a value");
}

bool matches(const operand& matcher, const condition_value& v) {
  if (v.is_missing()) return false;
  if (matcher.type == operand::kind::pattern) return pattern_matches(matcher.pattern, v.render());
  return std::any_of(matcher.options.begin(), matcher.options.end(),
                     [&](const condition_value& option) { return compare(v, compare_op::eq, option); });
}

struct node_result {
  bool passed;
  std::string seen;
  std::string explained;
};

node_result evaluate_node(const condition_node& node, check_input& input) {
  const bool left_matcher = node.left.type == operand::kind::pattern || node.left.type == operand::kind::any;
  const bool right_matcher = node.right.type == operand::kind::pattern || node.right.type == operand::kind::any;
  node_result out{false, {}, {}};
  auto side = [&](const operand& o, const condition_value* v) {
    if (v == nullptr || o.is_constant()) return o.source;
    if (!out.seen.empty()) out.seen += ", ";
    out.seen += v->render();
    return fmt::format("{} ({})", o.source, v->render());
  };
  if (left_matcher || right_matcher) {
    const operand& matcher = left_matcher ? node.left : node.right;
    const operand& other = left_matcher ? node.right : node.left;
    const condition_value v = resolve(other, input);
    const bool hit = matches(matcher, v);
    out.passed = !v.is_missing() && (node.op == compare_op::eq ? hit : !hit);
    std::string l = left_matcher ? side(node.left, nullptr) : side(node.left, &v);
    std::string r = right_matcher ? side(node.right, nullptr) : side(node.right, &v);
    out.explained = fmt::format("{} {} {}", l, to_string(node.op), r);
    return out;
  }
  const condition_value a = resolve(node.left, input);
  const condition_value b = resolve(node.right, input);
  out.passed = compare(a, node.op, b);
  std::string l = side(node.left, &a);
  std::string r = side(node.right, &b);
  out.explained = fmt::format("{} {} {}", l, to_string(node.op), r);
  return out;
}

condition_value evaluate_ratio(const operand& o, check_input& input) {
  const check_window* w = input.window();
  if (w == nullptr) return condition_value::missing("no history");
  const auto& samples = w->samples();
  std::size_t total = 0, hits = 0;
  for (std::size_t i = w->first_within(input.now(), o.window); i < samples.size(); ++i) {
    check_result r;
    r.status = samples[i].status;
    r.response_time = samples[i].response_time;
    r.connected = samples[i].connected;
    check_input one(r, nullptr, samples[i].at);
    ++total;
    if (evaluate_node(*o.inner, one).passed) ++hits;
  }
  if (total == 0) return condition_value::missing(fmt::format("no checks in the last {}", format_duration(o.window)));
  return condition_value::of_number(static_cast<double>(hits) / static_cast<double>(total));
}

bool operand_reads_body(const operand& o) {
  return (o.type == operand::kind::read || o.type == operand::kind::len || o.type == operand::kind::has) &&
         o.target == placeholder::body;
}

bool operand_reads(const operand& o, placeholder target) {
  return (o.type == operand::kind::read || o.type == operand::kind::len || o.type == operand::kind::has) &&
         o.target == target;
}

}  // namespace

std::optional<condition> condition::compile(std::string_view text, condition_error& error) {
  std::size_t column = 0;
  std::string message;
  auto node = detail::parse_condition(text, column, message);
  if (!node) {
    error = condition_error{column, std::move(message)};
    return std::nullopt;
  }
  return condition(std::move(node), std::string(trim(text)));
}

bool condition::reads_body() const noexcept {
  return operand_reads_body(node_->left) || operand_reads_body(node_->right);
}

bool condition::reads_header() const noexcept {
  return operand_reads(node_->left, placeholder::header) || operand_reads(node_->right, placeholder::header);
}

bool condition::reads_certificate() const noexcept {
  return operand_reads(node_->left, placeholder::certificate_expiration) ||
         operand_reads(node_->right, placeholder::certificate_expiration);
}

std::vector<std::string> condition::headers_read() const {
  std::vector<std::string> names;
  for (const operand* o : {&node_->left, &node_->right}) {
    if (operand_reads(*o, placeholder::header)) names.push_back(o->header_name);
  }
  return names;
}

std::chrono::milliseconds condition::window() const noexcept {
  return std::max(node_->left.window, node_->right.window);
}

bool condition::is_window() const noexcept { return window().count() > 0; }

condition_verdict condition::evaluate(check_input& input) const {
  node_result r = evaluate_node(*node_, input);
  return condition_verdict{r.passed, std::move(r.seen), std::move(r.explained)};
}

check_evaluation evaluate_all(const std::vector<condition>& conditions, check_input& input) {
  check_evaluation out;
  bool single_failed = false;
  for (const auto& c : conditions) {
    out.verdicts.push_back(c.evaluate(input));
    if (!out.verdicts.back().passed) {
      out.passed = false;
      if (!c.is_window()) single_failed = true;
    }
  }
  out.only_window_failed = !out.passed && !single_failed;
  return out;
}

std::chrono::milliseconds longest_window(const std::vector<condition>& conditions) noexcept {
  std::chrono::milliseconds out{0};
  for (const auto& c : conditions) out = std::max(out, c.window());
  return out;
}

}  // namespace serentak::monitor
