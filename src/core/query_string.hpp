#pragma once
// The request target as Werkzeug 2.2 reads it: the path percent-decoded for routing, and
// request.args.get(name) over the query string (split on '&', '+' as space, first match wins).
// Malformed escapes ("%G1", a trailing "%") stay literally, as Werkzeug keeps them, and bytes
// that are not UTF-8 become U+FFFD (Werkzeug decodes with errors="replace").
// Pure functions, no I/O; thread-safe.

#include <optional>
#include <string>
#include <string_view>

namespace serentak {

struct request_target {
  std::string path;        // percent-decoded, UTF-8: what the routes are matched against
  std::string_view query;  // raw text after '?', without any '#fragment'; empty when absent
};

// Splits an origin-form ("/a?b") or absolute-form ("http://h:1/a?b") request target.
request_target split_target(std::string_view target);

// Werkzeug's url_unquote (plus_as_space: url_unquote_plus): valid %XX escapes decoded, invalid
// ones kept as typed, then the bytes decoded as UTF-8 with U+FFFD for invalid sequences.
std::string url_unquote(std::string_view text, bool plus_as_space);

// request.args.get(name): the decoded value of the first pair whose decoded key is name;
// a pair without '=' has the value "". nullopt when no pair has that key.
std::optional<std::string> query_get(std::string_view query, std::string_view name);

}  // namespace serentak
