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
  if (colon == std::string_view::npos) {
    throw std::invalid_argument("'" + escape_for_log(text) + "' is not 'Name: VARIABLE'");
  }
  const std::string_view name = text.substr(0, colon);
  const std::string_view variable = trim_header_value(text.substr(colon + 1));
  if (!is_http_token(name)) throw std::invalid_argument("'" + escape_for_log(name) + "' is not a header name");
  if (!is_environment_name(variable)) {
    throw std::invalid_argument("'" + escape_for_log(variable) + "' is not an environment variable name");
  }
  for (std::string_view framing : {"host", "content-length", "transfer-encoding"}) {
    if (ascii_lower(name) == framing) {
      throw std::invalid_argument("'" + std::string(name) + "' is set by serentak, not from the environment");
    }
  }
  return {std::string(name), std::string(variable)};
}

header_field resolve_header_env(const header_from_env& header) {
  const char* value = std::getenv(header.variable.c_str());  // NOLINT(concurrency-mt-unsafe): nobody sets it
  if (value == nullptr || value[0] == '\0') {
    throw std::invalid_argument("the environment variable '" + escape_for_log(header.variable) + "' (for header '" +
                                escape_for_log(header.name) + "') is not set or is empty");
  }
  if (has_control_character(value)) {
    throw std::invalid_argument("the environment variable '" + escape_for_log(header.variable) + "' (for header '" +
                                escape_for_log(header.name) + "') contains a control character");
  }
  return {header.name, value};
}

}  // namespace serentak
