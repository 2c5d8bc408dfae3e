// A record larger than the job's Redis takes (proto-max-bulk-len): Redis answers "Protocol error" and
// closes the connection, and the worker sent the same batch again and again while every later record
// waited behind it; the job never finished. Such a record is now stored as a short one that says so,
// and every other item's record is stored as usual. Job records also carry the response's HTTP version,
// as `fetch --out` records do.
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/job_harness.hpp"
#include "support/redis_server.hpp"
#include "support/scripted_http_server.hpp"
#include "support/test_paths.hpp"

namespace serentak {
namespace {

using namespace std::chrono_literals;
using testing::run_job;

TEST(job_record_size, a_record_redis_would_refuse_is_stored_as_one_saying_so_and_the_job_completes) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path(), {"--proto-max-bulk-len", "1mb"});
  const std::string big = "{\"blob\":\"" + std::string(2 << 20, 'x') + "\"}";  // 2 MiB of JSON
  testing::scripted_http_server api([&big](const testing::scripted_request& request) {
    return testing::scripted_reply::respond(200, request.target.find("id=big") != std::string::npos ? big : "{}")
        .with_header("Content-Type", "application/json");
  });
  const std::string job = redis.url("sizes");
  auto push = run_job({"push", job, "--url", api.url("/p?id={}"), "a", "big", "c", "d"});
  ASSERT_EQ(push.exit_code, 0) << push.err;
  auto w = testing::start_worker(job, {"-c", "4"}, dir.path(), "w");
  auto status = w->wait(30s);
  ASSERT_TRUE(status.has_value()) << "the worker wedged on a record Redis refuses: " << w->err();
  EXPECT_EQ(*status, 0) << w->err();

  auto c = testing::collect(job, dir.path());
  ASSERT_EQ(c.per_index.size(), 4U);
  for (const auto& [index, count] : c.per_index) EXPECT_EQ(count, 1) << "index " << index;
  EXPECT_EQ(c.per_outcome["ok"], 3U);
  EXPECT_EQ(c.per_outcome["unexpected"], 1U);
  auto big_record = nlohmann::json::parse(redis.cli({"HGET", "serentak:sizes:records", "1"}));
  EXPECT_EQ(big_record["item"], "big");
  EXPECT_EQ(big_record["status"], 200);
  EXPECT_NE(big_record["error"].get<std::string>().find("larger than this Redis accepts"), std::string::npos)
      << big_record.dump();
  auto small_record = nlohmann::json::parse(redis.cli({"HGET", "serentak:sizes:records", "0"}));
  EXPECT_EQ(small_record["http_version"], "1.1") << small_record.dump();
}

}  // namespace
}  // namespace serentak
