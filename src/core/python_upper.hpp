#pragma once
// Python's str.upper() on UTF-8 text: the seeds fold an item with .upper() before the lookup, and
// Python folds every script, not only ASCII ("москва" -> "МОСКВА", "straße" -> "STRASSE").
// The mapping is Python 3.11's (Unicode 14, Debian 12's Flask). Pure function; thread-safe.

#include <string>
#include <string_view>

namespace serentak {

// Upper-cases valid UTF-8 as Python does; bytes that are not valid UTF-8 are copied unchanged
// (request text has already been through decode_utf8_replace, so there are none in practice).
std::string python_upper(std::string_view utf8);

}  // namespace serentak
