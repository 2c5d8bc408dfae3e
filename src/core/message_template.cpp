#include "core/message_template.hpp"

namespace serentak {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// Splits "a ?? b ?? 'c'" into its alternatives.
std::vector<std::string_view> alternatives(std::string_view expr) {
  std::vector<std::string_view> out;
  for (;;) {
    auto pos = expr.find("??");
    out.push_back(trim(expr.substr(0, pos)));
    if (pos == std::string_view::npos) return out;
    expr.remove_prefix(pos + 2);
  }
}

bool is_literal(std::string_view alt) { return alt.size() >= 2 && alt.front() == '\'' && alt.back() == '\''; }

// Appends the value of one alternative; false when it has none. Appended in place, not returned:
// a message is rendered per item, and a copy of each value (the URL) per render cost as much as the
// rendering.
bool append_resolved(std::string& out, std::string_view alt, const template_context& context) {
  if (is_literal(alt)) {
    out.append(alt.substr(1, alt.size() - 2));
    return true;
  }
  if (alt.starts_with("data.")) {
    if (context.data == nullptr || !context.data->is_object()) return false;
    auto it = context.data->find(std::string(alt.substr(5)));
    if (it == context.data->end()) return false;
    out += python_str(*it);
    return true;
  }
  if (const std::string* value = context.find(alt)) {
    out += *value;
    return true;
  }
  return false;
}

// The first alternative of "a ?? b ?? 'c'" that has a value, appended; none: nothing. Walks the
// expression in place (alternatives() would allocate a vector per placeholder per render).
void append_first_present(std::string& out, std::string_view expr, const template_context& context) {
  for (;;) {
    auto pos = expr.find("??");
    if (append_resolved(out, trim(expr.substr(0, pos)), context) || pos == std::string_view::npos) return;
    expr.remove_prefix(pos + 2);
  }
}

}  // namespace

const std::string* template_context::find(std::string_view name) const noexcept {
  for (const auto& [key, value] : variables) {
    if (key == name) return &value;
  }
  return nullptr;
}

std::string python_str(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "True" : "False";
  if (value.is_null()) return "None";
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string render_template(std::string_view tmpl, const template_context& context) {
  std::string out;
  out.reserve(tmpl.size() + 32);
  std::size_t i = 0;
  while (i < tmpl.size()) {
    char c = tmpl[i];
    if (c == '{' && i + 1 < tmpl.size() && tmpl[i + 1] == '{') {
      out.push_back('{');
      i += 2;
    } else if (c == '}' && i + 1 < tmpl.size() && tmpl[i + 1] == '}') {
      out.push_back('}');
      i += 2;
    } else if (c == '{') {
      auto close = tmpl.find('}', i);
      if (close == std::string_view::npos) {  // validate_template rejects this; render it literally
        out.append(tmpl.substr(i));
        break;
      }
      append_first_present(out, tmpl.substr(i + 1, close - i - 1), context);
      i = close + 1;
    } else {
      out.push_back(c);
      ++i;
    }
  }
  return out;
}

std::optional<std::string> validate_template(std::string_view tmpl) {
  std::size_t i = 0;
  while (i < tmpl.size()) {
    if ((tmpl[i] == '{' || tmpl[i] == '}') && i + 1 < tmpl.size() && tmpl[i + 1] == tmpl[i]) {
      i += 2;
      continue;
    }
    if (tmpl[i] == '}') return "unmatched '}' at offset " + std::to_string(i);
    if (tmpl[i] == '{') {
      auto close = tmpl.find('}', i);
      if (close == std::string_view::npos) return "unclosed '{' at offset " + std::to_string(i);
      for (std::string_view alt : alternatives(tmpl.substr(i + 1, close - i - 1))) {
        if (alt.empty()) return "empty placeholder at offset " + std::to_string(i);
        if (alt.find_first_of("{'") != std::string_view::npos && !is_literal(alt)) {
          return "malformed placeholder at offset " + std::to_string(i);
        }
      }
      i = close + 1;
      continue;
    }
    ++i;
  }
  return std::nullopt;
}

}  // namespace serentak
