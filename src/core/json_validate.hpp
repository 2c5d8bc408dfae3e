#pragma once
// Whether a text is one valid JSON document (RFC 8259), without building it: what `fetch` asks of
// every response body it records byte for byte. It gives the same answer as
// nlohmann::json::accept() (tested against it), at a fraction of the cost: nlohmann's lexer reads
// one character at a time through an input adapter, which was the largest item of serentak's own
// CPU per request in `fetch`'s profile (bench/RESULTS.md, seventh session).
// Same rules as nlohmann: whitespace around the value, strings of valid UTF-8 (no overlong forms,
// no surrogates, nothing past U+10FFFF) without raw control characters, \u escapes with surrogates
// paired, numbers by the RFC's grammar that are finite as doubles (1e999 is refused), no nesting
// limit (a stack of its own, not recursion). A leading UTF-8 byte order mark is skipped, as nlohmann does.
// Pure function; thread-safe.

#include <string_view>

namespace serentak {

bool is_valid_json(std::string_view text);

}  // namespace serentak
