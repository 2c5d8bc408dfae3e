#include "cli/suggest.hpp"

#include <algorithm>

namespace serentak::cli {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment over three rows: names are short, so the table is tiny.
  std::vector<std::size_t> before(b.size() + 1), previous(b.size() + 1), current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        current[j] = std::min(current[j], before[j - 2] + 1);
      }
    }
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::optional<std::string> closest_name(std::string_view typed, const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  std::size_t best_distance = 3;  // at most 2 edits
  for (const std::string& candidate : candidates) {
    std::size_t d = edit_distance(typed, candidate);
    if (d < best_distance && d * 2 < typed.size()) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

}  // namespace serentak::cli
