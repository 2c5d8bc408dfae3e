#include "client/outputs/live_screen.hpp"

#include <gtest/gtest.h>

namespace serentak::client {
namespace {

live_screen_input sample() {
  live_screen_input in;
  in.title = "serentak fetch";
  in.total = 10;
  in.elapsed_s = 2.0;
  for (int i = 0; i < 6; ++i) {
    in.meter.by_outcome[static_cast<std::size_t>(outcome::ok)]++;
    in.meter.latencies.record(static_cast<std::uint64_t>(10000 + 1000 * i));
  }
  in.meter.by_outcome[static_cast<std::size_t>(outcome::not_found)] = 1;
  in.meter.by_outcome[static_cast<std::size_t>(outcome::timeout)] = 1;
  in.meter.latencies.record(200000);
  in.meter.latencies.record(5000000);
  in.per_second = {3, 5};
  return in;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string all;
  for (const auto& l : lines) all += l + "\n";
  return all;
}

TEST(live_screen, shows_counts_by_class_rate_percentiles_and_histogram) {
  std::string screen = joined(render_live_screen(sample(), 80, 40));
  EXPECT_NE(screen.find("serentak fetch  8/10 done (80%)"), std::string::npos) << screen;
  EXPECT_NE(screen.find("ok 6   404 1   other failures 1"), std::string::npos) << screen;
  EXPECT_NE(screen.find("timeout 1"), std::string::npos) << screen;
  EXPECT_NE(screen.find("peak 5/s"), std::string::npos) << screen;
  EXPECT_NE(screen.find("p50 "), std::string::npos) << screen;
  EXPECT_NE(screen.find("p99 "), std::string::npos) << screen;
  EXPECT_NE(screen.find("max 5.00 s"), std::string::npos) << screen;
  EXPECT_NE(screen.find(" | #"), std::string::npos) << screen;
}

TEST(live_screen, every_line_fits_the_width_and_the_height) {
  live_screen_input in = sample();
  in.recent_log = {std::string(300, 'x')};
  for (std::size_t columns : {20u, 40u, 80u}) {
    for (std::size_t rows : {5u, 12u, 40u}) {
      auto lines = render_live_screen(in, columns, rows);
      EXPECT_LE(lines.size(), rows);
      for (const auto& line : lines) EXPECT_LE(line.size(), columns) << line;
    }
  }
}

TEST(live_screen, cut_counts_code_points_not_bytes) {
  EXPECT_EQ(cut_to_columns("abcdef", 3), "abc");
  EXPECT_EQ(cut_to_columns("ab", 3), "ab");
  EXPECT_EQ(cut_to_columns("\u2581\u2582\u2583", 2), "\u2581\u2582");
}

TEST(live_screen, sparkline_scales_to_the_peak) {
  EXPECT_EQ(sparkline({0, 1, 8}, false), " .#");
  EXPECT_EQ(sparkline({}, false), "");
  EXPECT_EQ(sparkline({4, 4}, true), "\u2588\u2588");
}

TEST(live_screen, latency_units) {
  EXPECT_EQ(format_latency(850), "850 us");
  EXPECT_EQ(format_latency(12300), "12.3 ms");
  EXPECT_EQ(format_latency(2410000), "2.41 s");
}

}  // namespace
}  // namespace serentak::client
