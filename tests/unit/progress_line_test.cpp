#include "client/outputs/progress_line.hpp"

#include <gtest/gtest.h>

namespace serentak::client {
namespace {

TEST(progress_line, shows_done_total_rate_eta_and_failures) {
  EXPECT_EQ(progress_line::render(250, 1000, 3, 5.0), "250/1000 done (25%), 50.0/s, ETA 15s, 3 failed");
  EXPECT_EQ(progress_line::render(0, 10, 0, 0.0), "0/10 done (0%), 0.0/s, ETA --, 0 failed");
  EXPECT_EQ(progress_line::render(10, 10, 10, 2.0), "10/10 done (100%), 5.0/s, ETA 0s, 10 failed");
}

}  // namespace
}  // namespace serentak::client
