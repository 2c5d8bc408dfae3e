#pragma once
// A Prometheus label value as the text exposition format requires: backslash, double quote and
// line feed escaped. Shared by the mock server's /metrics and `serentak monitor --metrics`.
// Pure function; thread-safe.

#include <string>
#include <string_view>

namespace serentak {

std::string escape_label_value(std::string_view value);

}  // namespace serentak
