#include "core/process_start.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace serentak {
namespace {

using namespace std::chrono_literals;

TEST(process_start, is_the_processs_start_not_the_time_of_the_call) {
  std::this_thread::sleep_for(60ms);  // this process is at least 60 ms old now
  const auto now = std::chrono::steady_clock::now();
  const auto started = process_start_time();
  EXPECT_LE(started, now - 40ms) << "60 ms of life less the 10 ms clock-tick step and some slack";
  EXPECT_GT(started, now - 180s) << "older than ctest's timeout for one test";
  EXPECT_LE(process_start_time(), std::chrono::steady_clock::now());
  const auto again = process_start_time();
  EXPECT_LT(again > started ? again - started : started - again, 20ms) << "stable across calls";
}

}  // namespace
}  // namespace serentak
