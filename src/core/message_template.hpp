#pragma once
// Renders the themes' message templates, so a theme's whole voice is data, not code.
//
// A template is text with placeholders in braces:
//   {item}                     a context variable (item, url, status, body, error, count, seconds, ...)
//   {data.city}                a field of the response JSON, printed as Python's str() prints it
//   {data.city ?? item}        alternatives, first one present wins, like data.get('city', city)
//   {data.temp_c ?? 'N/A'}     a quoted literal as the last resort
// "{{" and "}}" are literal braces. A placeholder with no present alternative renders as "".
// Pure and thread-safe; a template is checked once with validate_template().

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace serentak {

struct template_context {
  std::vector<std::pair<std::string_view, std::string>> variables;  // small; linear lookup is fastest
  const nlohmann::json* data = nullptr;                             // the response JSON, if any

  template_context& set(std::string_view name, std::string value) {
    variables.emplace_back(name, std::move(value));
    return *this;
  }
  const std::string* find(std::string_view name) const noexcept;
};

std::string render_template(std::string_view tmpl, const template_context& context);

// nullopt when the template is well formed; otherwise what is wrong with it.
std::optional<std::string> validate_template(std::string_view tmpl);

// Python's str() of a JSON value: strings bare, true -> True, null -> None, numbers as JSON.
std::string python_str(const nlohmann::json& value);

}  // namespace serentak
