#include "scenario/scenario.hpp"

#include "core/python_upper.hpp"

namespace serentak::server {

std::string fold_case(std::string_view text, case_folding folding) {
  switch (folding) {
    case case_folding::upper:
      return python_upper(text);
    case case_folding::lower: {
      std::string out(text);
      for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      }
      return out;
    }
    case case_folding::none:
      break;
  }
  return std::string(text);
}

}  // namespace serentak::server
