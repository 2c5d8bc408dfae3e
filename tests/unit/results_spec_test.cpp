#include "core/results_spec.hpp"

#include <algorithm>

#include <gtest/gtest.h>

namespace serentak {
namespace {

TEST(results_spec, the_preamble_reads_back_and_differences_are_named) {
  results_spec spec;
  spec.url = "http://h/p?id={}";
  spec.headers = {"Accept", "X-Trace"};
  spec.theme = "fetch";
  for (result_format format : {result_format::jsonl, result_format::csv}) {
    std::string text = results_preamble(spec, format);
    std::string first = text.substr(0, text.find('\n'));
    auto back = parse_spec_line(first, format);
    ASSERT_TRUE(back.has_value()) << first;
    EXPECT_EQ(spec_difference(*back, spec), "");
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), static_cast<long>(preamble_lines(format)));
  }
  EXPECT_EQ(results_preamble(spec, result_format::jsonl),
            "{\"serentak_results\":1,\"spec\":{\"method\":\"GET\",\"url\":\"http://h/p?id={}\",\"headers\":[\"Accept\","
            "\"X-Trace\"],\"body_sha256\":\"\",\"theme\":\"fetch\"}}\n");
  results_spec other = spec;
  other.url = "http://h/q?id={}";
  EXPECT_EQ(spec_difference(spec, other), "URL 'http://h/p?id={}' (this run: 'http://h/q?id={}')");
  other = spec;
  other.method = "POST";
  EXPECT_EQ(spec_difference(spec, other), "method 'GET' (this run: 'POST')");
  other = spec;
  other.headers = {"Accept"};
  EXPECT_EQ(spec_difference(spec, other), "header names 'Accept,X-Trace' (this run: 'Accept')");
  EXPECT_FALSE(parse_spec_line("{\"index\":0}", result_format::jsonl).has_value());
  EXPECT_FALSE(parse_spec_line("index,item", result_format::csv).has_value());
  EXPECT_FALSE(parse_spec_line("{\"serentak_results\":1,\"spec\":{\"url\":5}}", result_format::jsonl).has_value());
}

}  // namespace
}  // namespace serentak
