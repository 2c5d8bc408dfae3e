#pragma once
// --header-env 'Name: VAR': a request header whose value is read from the environment variable VAR,
// so that an API key or a cookie stays out of the command line (ps, shell history) and, for a job,
// out of Redis, where every client could read it: a job stores only the two names, and each worker
// reads the value from its own environment. The value is a secret: no error ever shows it.
// Pure functions but for reading the environment (getenv; nothing in serentak sets it); thread-safe.

#include <string>
#include <string_view>

#include "core/request_shape.hpp"

namespace serentak {

struct header_from_env {
  std::string name;      // the header's name, an HTTP token
  std::string variable;  // the environment variable's name
};

// A shell's environment variable name: letters, digits and '_', not starting with a digit.
bool is_environment_name(std::string_view name) noexcept;

// "Name: VAR" (spaces around VAR trimmed); throws std::invalid_argument with the reason, which never
// quotes the text (a value typed where VAR belongs is a secret).
header_from_env parse_header_env(std::string_view text);

// The header with $VAR's value. Throws std::invalid_argument when VAR is unset or empty, or its value
// holds a control character (a CR or LF would end the header line) or "{}" (header values are
// templates, and this one must go as it is); the value is never quoted.
header_field resolve_header_env(const header_from_env& header);

// --bearer-env VAR: "Authorization: Bearer $VAR", refused as resolve_header_env refuses.
header_field resolve_bearer_env(const std::string& variable);

}  // namespace serentak
