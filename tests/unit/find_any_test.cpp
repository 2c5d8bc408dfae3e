#include "core/find_any.hpp"

#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace {

using serentak::find_any;
using serentak::find_last_any;

// The contract: the same positions as std::string_view's find_first_of / find_last_of.
TEST(find_any, gives_find_first_of_and_find_last_of_positions) {
  const std::string with_nul("a\0b?c#", 6);
  for (std::string_view text : {std::string_view(""), std::string_view("http://h:1/p?q=1#f"), std::string_view("plain"),
                                std::string_view("\r\n"), std::string_view("a=1&b=2;c"), std::string_view(with_nul)}) {
    for (std::string_view set : {std::string_view("/?#"), std::string_view("\r\n"), std::string_view("&;"),
                                 std::string_view(""), std::string_view("\0", 1)}) {
      for (std::size_t from = 0; from <= text.size() + 1; ++from) {
        EXPECT_EQ(find_any(text, set, from), text.find_first_of(set, from)) << text << " / " << set << " @" << from;
      }
      EXPECT_EQ(find_last_any(text, set), text.find_last_of(set)) << text << " / " << set;
    }
  }
}

}  // namespace
