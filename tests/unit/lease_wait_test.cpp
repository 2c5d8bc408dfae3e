// The arithmetic behind `job push`'s warning that items may wait for their host's tokens past the
// item lease (queue/lease_wait.hpp).
#include "queue/lease_wait.hpp"

#include <gtest/gtest.h>

namespace serentak {
namespace {

using namespace std::chrono_literals;

queue::job_spec spec_at(double host_rate) {
  queue::job_spec spec;
  spec.url_template = "http://h/{}";
  spec.timeout = 5000ms;  // default lease: 2 x 5 s + 2 s = 12 s
  spec.host_rate_per_second = host_rate;
  return spec;
}

TEST(lease_wait, a_worker_holds_its_local_queue_and_64_refused_requests_per_engine_thread) {
  EXPECT_EQ(queue::items_waiting_in_worker(100), 164U);
  EXPECT_EQ(queue::items_waiting_in_worker(10), 74U);  // the local queue holds c
  EXPECT_EQ(queue::items_waiting_in_worker(1), 65U);
  EXPECT_EQ(queue::items_waiting_in_worker(100, 2), 228U);
}

TEST(lease_wait, no_host_rate_or_a_wait_within_the_lease_is_no_warning) {
  queue::job_spec unlimited;
  unlimited.url_template = "http://h/{}";
  EXPECT_FALSE(queue::check_lease_wait(unlimited, {{"http://h:80", 1000000}}));
  EXPECT_FALSE(queue::check_lease_wait(spec_at(100), {{"http://h:80", 1000000}}));  // 164 / 100 s
  EXPECT_FALSE(queue::check_lease_wait(spec_at(1), {{"http://h:80", 12}}));         // 12 s: at the lease
}

TEST(lease_wait, the_host_whose_held_items_wait_longest_is_named_with_what_fits) {
  auto w = queue::check_lease_wait(spec_at(10), {{"http://a:80", 5}, {"http://b:80", 300}, {"http://c:80", 150}});
  ASSERT_TRUE(w);
  EXPECT_EQ(w->host, "http://b:80");
  EXPECT_EQ(w->held, 164U);
  EXPECT_EQ(w->wait, 16400ms);
  EXPECT_EQ(w->lease, 12000ms);
  EXPECT_EQ(w->max_concurrency, 56U) << "10/s x 12 s = 120 items: c + 64 <= 120";
  EXPECT_EQ(queue::items_waiting_in_worker(w->max_concurrency), 120U);
}

TEST(lease_wait, a_rate_too_low_for_any_concurrency_suggests_none) {
  auto w = queue::check_lease_wait(spec_at(1), {{"http://h:80", 500}});
  ASSERT_TRUE(w);
  EXPECT_EQ(w->wait, 164000ms);
  EXPECT_EQ(w->max_concurrency, 0U) << "even -c 1 holds 65 items, 65 s at 1/s";
  auto low = queue::check_lease_wait(spec_at(5), {{"http://h:80", 500}});  // 60 items fit: fewer than 65
  ASSERT_TRUE(low);
  EXPECT_EQ(low->max_concurrency, 0U);
  auto one = queue::check_lease_wait(spec_at(5.5), {{"http://h:80", 500}});  // 66 items fit: 2 + 64
  ASSERT_TRUE(one);
  EXPECT_EQ(one->max_concurrency, 2U);
  auto some = queue::check_lease_wait(spec_at(9), {{"http://h:80", 500}});  // 108 items fit: 44 + 64
  ASSERT_TRUE(some);
  EXPECT_EQ(some->max_concurrency, 44U);
}

}  // namespace
}  // namespace serentak
