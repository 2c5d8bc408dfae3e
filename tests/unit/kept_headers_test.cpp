// Which response headers a result carries for `[HEADER].name` conditions: one name match for both
// transports, case-insensitive, the value without surrounding blanks, nothing else kept.
#include "client/engine/kept_headers.hpp"

#include <gtest/gtest.h>

namespace serentak::client {
namespace {

using header_list = std::vector<std::pair<std::string, std::string>>;

TEST(kept_headers, names_match_without_regard_to_case_and_only_whole_names) {
  const std::vector<std::string> kept{"content-type", "x-build"};
  EXPECT_TRUE(is_kept_header("Content-Type", kept));
  EXPECT_TRUE(is_kept_header("X-BUILD", kept));
  EXPECT_FALSE(is_kept_header("Content-Typ", kept));
  EXPECT_FALSE(is_kept_header("Content-Type2", kept));
  EXPECT_FALSE(is_kept_header("", kept));
  EXPECT_FALSE(is_kept_header("content-type", {}));
}

TEST(kept_headers, a_kept_line_is_stored_lower_cased_with_its_value_trimmed_and_others_are_not) {
  const std::vector<std::string> kept{"content-type", "set-cookie"};
  header_list out;
  keep_header_line("Content-Type:  application/json; charset=utf-8 \t", kept, out);
  keep_header_line("Server: serentak", kept, out);
  keep_header_line("HTTP/1.1 200 OK", kept, out);
  keep_header_line(": no name", kept, out);
  keep_header_line("Set-Cookie: a=1", kept, out);
  keep_header_line("set-cookie:b=2", kept, out);
  keep_header_line("Set-Cookie: c=3 \r", kept, out);
  EXPECT_EQ(out, (header_list{{"content-type", "application/json; charset=utf-8"},
                              {"set-cookie", "a=1"},
                              {"set-cookie", "b=2"},
                              {"set-cookie", "c=3"}}));
}

}  // namespace
}  // namespace serentak::client
