#pragma once
// Writes JSON text directly into a string, for the one-record-per-line results file: building an
// nlohmann::json document first would copy every response a second time.
// Pure functions; thread-safe.

#include <string>
#include <string_view>

namespace serentak {

// Appends text as a JSON string literal, quotes included: '"', '\' and control characters escaped
// (\n, \r, \t, \b, \f or \u00XX), valid UTF-8 passed through, and every byte that is not part of
// valid UTF-8 replaced by U+FFFD, so the output is always valid UTF-8 JSON on one line.
void append_json_string(std::string& out, std::string_view text);

}  // namespace serentak
