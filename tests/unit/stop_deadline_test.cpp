// A stopping worker's Redis reads give up once the grace after the stop has passed, never before the
// stop, and the grace counts from when the stop was first seen.
#include "queue/stop_deadline.hpp"

#include <gtest/gtest.h>

namespace serentak::queue {
namespace {

using namespace std::chrono_literals;

TEST(stop_deadline, never_passes_before_a_stop_or_without_a_stop_flag) {
  std::atomic<bool> stop{false};
  stop_deadline none(nullptr, 0ms);
  stop_deadline deadline(&stop, 0ms);
  EXPECT_FALSE(none.passed());
  EXPECT_FALSE(deadline.passed());
}

TEST(stop_deadline, passes_once_the_grace_after_the_stop_has_run_out) {
  std::atomic<bool> stop{false};
  stop_deadline at_once(&stop, 0ms);
  stop_deadline in_an_hour(&stop, 1h);
  EXPECT_FALSE(in_an_hour.passed());  // not stopped yet: the grace has not started
  stop = true;
  EXPECT_TRUE(at_once.passed());
  EXPECT_FALSE(in_an_hour.passed()) << "the grace starts when the stop is first seen";
  EXPECT_FALSE(in_an_hour.passed());
}

}  // namespace
}  // namespace serentak::queue
