#pragma once
// What a call refuses with: the text of the std::invalid_argument it throws, or `accepted` when it
// returns. For tests of parsers and checks whose refusals are messages a user reads.
#include <stdexcept>
#include <string>

namespace serentak::testing {

template <typename Call>
std::string refusal_text(Call&& call, const std::string& accepted = "") {
  try {
    call();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return accepted;
}

}  // namespace serentak::testing
