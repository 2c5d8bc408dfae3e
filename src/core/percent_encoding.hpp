#pragma once
// RFC 3986 percent-encoding for putting untrusted items into a URL query or path segment.
// Pure functions, no I/O.

#include <optional>
#include <string>
#include <string_view>

namespace serentak {

// Encodes every byte except the unreserved set (ALPHA / DIGIT / "-" / "." / "_" / "~"),
// so '/', '?', '#', '&', '=', '+', '%', spaces and control bytes can never change a URL's shape.
std::string percent_encode(std::string_view raw);

// Decodes %XX escapes; with plus_as_space, '+' becomes ' ' (HTML form / query-string rules).
// Returns nullopt on a malformed escape ("%G1", a trailing "%").
std::optional<std::string> percent_decode(std::string_view encoded, bool plus_as_space = false);

}  // namespace serentak
