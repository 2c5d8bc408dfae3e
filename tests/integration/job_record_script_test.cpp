// record_and_ack, the script that stores a worker's batch of records, run on a real redis-server:
// the first record of an item wins (one already stored, or the same item twice in one batch), the
// outcome counts and the worker's count move only for records written, and every entry in the
// batch is acknowledged.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "queue/job_keys.hpp"
#include "queue/job_scripts.hpp"
#include "support/redis_server.hpp"
#include "support/test_paths.hpp"

namespace serentak {
namespace {

TEST(job_record_script, the_first_record_of_an_item_wins_and_every_entry_in_the_batch_is_acknowledged) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  const queue::job_keys keys("script");
  redis.cli({"HSET", keys.meta, "spec", "{}"});
  for (const char* id : {"1-0", "1-1", "1-2", "2-0"}) redis.cli({"XADD", keys.items, id, "i", "x", "item", "x"});
  redis.cli({"XGROUP", "CREATE", keys.items, "workers", "0"});
  redis.cli({"XREADGROUP", "GROUP", "workers", "w1", "COUNT", "10", "STREAMS", keys.items, ">"});
  ASSERT_EQ(redis.cli({"XPENDING", keys.items, "workers", "-", "+", "10"}).empty(), false);
  redis.cli({"HSET", keys.records, "1", "stored before"});

  // Item 0 comes twice (a requeued item's two entries), item 1 already has a record, item 2 is new.
  std::vector<std::string> args{"EVAL", std::string(queue::scripts::record_and_ack), "5", keys.records, keys.items,
                                keys.outcomes, keys.workers, keys.meta, "workers", "w1",
                                "1-0", "0", "ok", "first of 0",
                                "1-1", "1", "timeout", "late 1",
                                "1-2", "2", "not_found", "only 2",
                                "2-0", "0", "timeout", "second of 0"};
  EXPECT_EQ(redis.cli(args), "2");
  EXPECT_EQ(redis.cli({"HGET", keys.records, "0"}), "first of 0");
  EXPECT_EQ(redis.cli({"HGET", keys.records, "1"}), "stored before");
  EXPECT_EQ(redis.cli({"HGET", keys.records, "2"}), "only 2");
  EXPECT_EQ(redis.cli({"HGET", keys.outcomes, "ok"}), "1");
  EXPECT_EQ(redis.cli({"HGET", keys.outcomes, "not_found"}), "1");
  EXPECT_EQ(redis.cli({"HEXISTS", keys.outcomes, "timeout"}), "0");
  EXPECT_EQ(redis.cli({"HGET", keys.workers, "w1"}), "2");
  EXPECT_EQ(redis.cli({"XPENDING", keys.items, "workers", "-", "+", "10"}), "") << "every entry acknowledged";

  // The whole batch again (a resend after a lost reply): nothing written, nothing counted.
  EXPECT_EQ(redis.cli(args), "0");
  EXPECT_EQ(redis.cli({"HGET", keys.outcomes, "ok"}), "1");
  EXPECT_EQ(redis.cli({"HGET", keys.workers, "w1"}), "2");

  redis.cli({"DEL", keys.meta});  // the job deleted: nothing is stored
  args[11] = "9";  // item 0 becomes item 9, which has no record
  EXPECT_EQ(redis.cli(args), "-1");
  EXPECT_EQ(redis.cli({"HEXISTS", keys.records, "9"}), "0");
}

}  // namespace
}  // namespace serentak
