#pragma once
// "Did you mean": the known name closest to what was typed, for a misspelled command
// (`serentak wether`) or option (`--timout`). Pure; thread-safe.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace serentak::cli {

// Levenshtein distance (insert, delete, substitute, and a swap of two neighbours as one edit).
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to typed, if it is near enough to be a typo: at most 2 edits, and fewer
// than half the typed length (so "x" does not suggest "demo"). Ties go to the earlier candidate.
std::optional<std::string> closest_name(std::string_view typed, const std::vector<std::string>& candidates);

}  // namespace serentak::cli
