#include "core/header_env.hpp"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include "core/ascii.hpp"
#include "core/log_text.hpp"

namespace serentak {

bool is_environment_name(std::string_view name) noexcept {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

header_from_env parse_header_env(std::string_view text) {
  const std::size_t colon = text.find(':');
  // What was typed is never quoted: a value given where the variable's name belongs is a secret.
  if (colon == std::string_view::npos) throw std::invalid_argument("expected 'Name: VARIABLE', without a value");
  const std::string_view name = text.substr(0, colon);
  const std::string_view variable = trim_header_value(text.substr(colon + 1));
  if (!is_http_token(name)) throw std::invalid_argument("the part before ':' is not a header name");
  if (!is_environment_name(variable)) {
    throw std::invalid_argument(
        "the part after ':' is not an environment variable name (letters, digits and _): give the variable "
        "that holds the value, not the value");
  }
  if (is_framing_header(name)) {
    throw std::invalid_argument("'" + std::string(name) + "' is set by serentak, not from the environment");
  }
  return {std::string(name), std::string(variable)};
}

namespace {

// $variable's value, refused (never quoted) when it is unset or empty, holds a control character (a
// CR or LF would end the header line), or holds "{}": header values are templates ("{}" is the item),
// and a value from the environment must go as it is. what: "for header 'X-Api-Key'".
std::string header_value_of(const std::string& variable, std::string_view what) {
  const char* value = std::getenv(variable.c_str());  // NOLINT(concurrency-mt-unsafe): nobody sets it
  const auto refused = [&](std::string_view why) {
    return std::invalid_argument("the environment variable '" + escape_for_log(variable) + "' (" + std::string(what) +
                                 ") " + std::string(why));
  };
  if (value == nullptr || value[0] == '\0') throw refused("is not set or is empty");
  if (has_control_character(value)) throw refused("contains a control character");
  if (std::string_view(value).find("{}") != std::string_view::npos)
    throw refused("contains {}, which serentak would replace by the item");
  return value;
}

}  // namespace

header_field resolve_header_env(const header_from_env& header) {
  return {header.name, header_value_of(header.variable, "for header '" + escape_for_log(header.name) + "'")};
}

header_field resolve_bearer_env(const std::string& variable) {
  return {"Authorization", "Bearer " + header_value_of(variable, "for the bearer token")};
}

}  // namespace serentak
