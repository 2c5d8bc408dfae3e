// Issue 18: `job push` warns, in one line on stderr and with the exit status unchanged, when items a
// worker holds may wait for their host's --host-rate tokens longer than the item lease (they would
// be reclaimed and fetched again). Against a real redis-server; the hosts are never contacted.
#include <algorithm>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "support/job_harness.hpp"
#include "support/redis_server.hpp"
#include "support/test_paths.hpp"

namespace serentak {
namespace {

using testing::run_job;

std::size_t lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST(job_push_lease_warning, a_host_rate_too_low_for_the_lease_is_one_line_naming_host_wait_lease_and_the_fix) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  const std::string items = testing::write_items(dir.path(), 500);

  // 10/s: a worker at -c 100 --threads 1 holds 100 + 64 items, the last waits 16.4 s; the lease is
  // 2 x 5 + 2 = 12 s.
  auto push = run_job({"push", redis.url("slow"), "--url", "http://127.0.0.1:9/x?id={}", "-i", items, "--host-rate",
                       "10/s", "--timeout", "5"});
  EXPECT_EQ(push.exit_code, 0) << push.err;
  EXPECT_NE(push.out.find("500 items, 500 added"), std::string::npos) << push.out;
  EXPECT_EQ(lines(push.err), 1U) << push.err;
  EXPECT_EQ(push.err.rfind("serentak job push: warning: 164 items for http://127.0.0.1:9 may wait 16 s", 0), 0U)
      << push.err;
  EXPECT_NE(push.err.find("--host-rate 10/s"), std::string::npos) << push.err;
  EXPECT_NE(push.err.find("longer than the item lease (12 s"), std::string::npos) << push.err;
  EXPECT_NE(push.err.find("raise --host-rate, run workers with -c 56 or less, or give workers --lease 33"),
            std::string::npos)
      << push.err;

  // Pushed again: the same warning, still exit 0 (the push itself is fine).
  auto again = run_job({"push", redis.url("slow"), "--url", "http://127.0.0.1:9/x?id={}", "-i", items, "--host-rate",
                        "10/s", "--timeout", "5"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(lines(again.err), 1U) << again.err;

  // 1/s: no -c fits (even -c 1 holds 65 items), so only the rate and the lease are suggested.
  auto crawl = run_job({"push", redis.url("crawl"), "--url", "http://127.0.0.1:9/x?id={}", "-i", items, "--host-rate",
                        "1/s", "--timeout", "5"});
  EXPECT_EQ(crawl.exit_code, 0) << crawl.err;
  EXPECT_NE(crawl.err.find("may wait 164 s"), std::string::npos) << crawl.err;
  EXPECT_EQ(crawl.err.find("-c 0"), std::string::npos) << crawl.err;
  EXPECT_NE(crawl.err.find("raise --host-rate, or give workers --lease 328"), std::string::npos) << crawl.err;
}

TEST(job_push_lease_warning, waits_within_the_lease_are_silent) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  // 100/s: 164 held items wait 1.6 s.
  auto fast = run_job({"push", redis.url("fast"), "--url", "http://127.0.0.1:9/x?id={}", "-i",
                       testing::write_items(dir.path(), 500), "--host-rate", "100/s", "--timeout", "5"});
  EXPECT_EQ(fast.exit_code, 0) << fast.err;
  EXPECT_EQ(fast.err, "");
  // 1/s but only 10 items: they wait 10 s at most, within the 12 s lease.
  auto few = run_job({"push", redis.url("few"), "--url", "http://127.0.0.1:9/x?id={}", "-i",
                      testing::write_items(dir.path(), 10, "f"), "--host-rate", "1/s", "--timeout", "5"});
  EXPECT_EQ(few.exit_code, 0) << few.err;
  EXPECT_EQ(few.err, "");
  // No --host-rate: nothing to wait for.
  auto unlimited = run_job({"push", redis.url("free"), "--url", "http://127.0.0.1:9/x?id={}", "-i",
                            testing::write_items(dir.path(), 500, "u"), "--timeout", "5"});
  EXPECT_EQ(unlimited.exit_code, 0) << unlimited.err;
  EXPECT_EQ(unlimited.err, "");
}

TEST(job_push_lease_warning, with_whole_urls_the_host_with_the_most_held_items_is_named) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  auto path = dir.path() / "urls.txt";
  {
    std::ofstream out(path);
    for (int i = 0; i < 5; ++i) out << "http://few.example/x?id=" << i << "\n";
    for (int i = 0; i < 300; ++i) out << "http://MANY.example:8080/x?id=" << i << "\n";
    for (int i = 0; i < 50; ++i) out << "http://some.example/x?id=" << i << "\n";
  }
  // 5/s: many.example's 164 held items wait 33 s; some.example's 50 wait 10 s; few.example's 5, 1 s.
  auto push =
      run_job({"push", redis.url("mixed"), "--urls", "-i", path.string(), "--host-rate", "5/s", "--timeout", "5"});
  EXPECT_EQ(push.exit_code, 0) << push.err;
  EXPECT_EQ(lines(push.err), 1U) << push.err;
  EXPECT_NE(push.err.find("164 items for http://many.example:8080 may wait 33 s"), std::string::npos) << push.err;
  EXPECT_EQ(push.err.find("run workers with -c"), std::string::npos) << "5 x 12 = 60 items: fewer than any -c holds";
  EXPECT_NE(push.err.find("or give workers --lease 66"), std::string::npos) << push.err;
}

}  // namespace
}  // namespace serentak
