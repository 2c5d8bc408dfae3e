#pragma once
// Which response headers a result carries (fetch_policy::kept_headers): the one name match both
// transports use, so `[HEADER].content-type` reads the same value whichever carried the check.
// Pure functions; safe from any thread.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace serentak::client {

// name is one of kept (lower-cased names), compared without regard to case.
bool is_kept_header(std::string_view name, const std::vector<std::string>& kept) noexcept;

// One "Name: value" header line (no CR/LF): appends {lower-cased name, value without surrounding
// blanks} to out when the name is kept. Status lines and lines without a colon are ignored.
void keep_header_line(std::string_view line, const std::vector<std::string>& kept,
                      std::vector<std::pair<std::string, std::string>>& out);

}  // namespace serentak::client
