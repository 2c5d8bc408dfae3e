// The job commands other than `work` against a Redis that stops answering (SIGSTOPped: its kernel
// still accepts connections and data, so nothing fails and every read just waits) and a Redis that
// restarts: Ctrl-C ends each at once with 130, and `status --watch` waits an outage out.
#include <csignal>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "support/child_process.hpp"
#include "support/job_harness.hpp"
#include "support/redis_server.hpp"
#include "support/serve_process.hpp"
#include "support/test_paths.hpp"

namespace serentak {
namespace {

using namespace std::chrono_literals;
using testing::run_job;

std::unique_ptr<testing::child_process> start_job(const std::vector<std::string>& args,
                                                  const std::filesystem::path& dir, const std::string& name) {
  std::vector<std::string> argv{testing::binary_path().string(), "job"};
  argv.insert(argv.end(), args.begin(), args.end());
  return std::make_unique<testing::child_process>(argv, dir / name);
}

TEST(job_command_signals, ctrl_c_ends_every_job_command_at_once_while_redis_does_not_answer) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  const std::string job = redis.url("silent");
  ASSERT_EQ(run_job({"push", job, "--url", "http://127.0.0.1:1/x?id={}", "a", "b"}).exit_code, 0);
  redis.signal(SIGSTOP);
  const std::vector<std::vector<std::string>> commands{{"push", job, "--url", "http://127.0.0.1:1/x?id={}", "c"},
                                                       {"status", job},
                                                       {"collect", job, "-o", (dir.path() / "c.jsonl").string()},
                                                       {"retry", job, "--outcome", "timeout"},
                                                       {"delete", job},
                                                       {"work", job}};
  for (const auto& args : commands) {
    auto c = start_job(args, dir.path(), args[0]);
    ASSERT_TRUE(c->wait_until_watching(10s)) << args[0];
    std::this_thread::sleep_for(300ms);  // connected, and waiting for Redis's answer
    c->signal(SIGINT);
    auto status = c->wait(1500ms);  // it took the 5 s command timeout, and then exited 2
    ASSERT_TRUE(status.has_value()) << args[0] << " ignored Ctrl-C while Redis did not answer";
    EXPECT_EQ(*status, 130) << args[0] << ": " << c->err();
    EXPECT_NE(c->err().find("interrupted"), std::string::npos) << args[0] << ": " << c->err();
  }
  redis.signal(SIGCONT);
}

TEST(job_command_signals, status_watch_waits_an_outage_out_and_says_so_once_each_way) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  const std::string job = redis.url("watched");
  ASSERT_EQ(run_job({"push", job, "--url", "http://127.0.0.1:1/x?id={}", "a", "b"}).exit_code, 0);
  auto w = start_job({"status", job, "--watch", "0.2", "--json"}, dir.path(), "watch");
  ASSERT_TRUE(w->wait_until_watching(10s));
  std::this_thread::sleep_for(500ms);
  redis.kill();
  std::this_thread::sleep_for(1200ms);
  ASSERT_TRUE(redis.start());
  std::this_thread::sleep_for(1500ms);
  EXPECT_FALSE(w->wait(0ms).has_value()) << "the watch must outlive a Redis restart: " << w->err();
  w->signal(SIGINT);
  auto status = w->wait(3s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 130) << w->err();
  const std::string err = w->err();
  EXPECT_NE(err.find("trying again every 0.2 s"), std::string::npos) << err;
  EXPECT_NE(err.find("answers again"), std::string::npos) << err;
  EXPECT_EQ(testing::line_count(err), 2U) << err;
}

// An outage is waited out, a refusal is not: once the password changed, the watch ends (exit 2) instead
// of trying again for ever.
TEST(job_command_signals, status_watch_ends_when_redis_refuses_its_password) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path(), {"--requirepass", "first-Pass"});
  const std::string job = "redis://:first-Pass@127.0.0.1:" + std::to_string(redis.port()) + "/locked";
  ASSERT_EQ(run_job({"push", job, "--url", "http://127.0.0.1:1/x?id={}", "a"}).exit_code, 0);
  auto w = start_job({"status", job, "--watch", "0.2"}, dir.path(), "watch");
  ASSERT_TRUE(w->wait_until_watching(10s));
  std::this_thread::sleep_for(400ms);
  redis.cli({"-a", "first-Pass", "--no-auth-warning", "CONFIG", "SET", "requirepass", "second-Pass"});
  redis.cli({"-a", "second-Pass", "--no-auth-warning", "CLIENT", "KILL", "TYPE", "normal"});
  auto status = w->wait(10s);
  ASSERT_TRUE(status.has_value()) << "a refused password must end the watch: " << w->err();
  EXPECT_EQ(*status, 2) << w->err();
  EXPECT_NE(w->err().find("refused the credentials"), std::string::npos) << w->err();
  EXPECT_EQ(w->err().find("first-Pass"), std::string::npos) << w->err();
}

TEST(job_command_signals, status_watch_ends_when_its_reader_goes_away) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  const std::string job = redis.url("piped");
  ASSERT_EQ(run_job({"push", job, "--url", "http://127.0.0.1:1/x?id={}", "a"}).exit_code, 0);
  // `status --watch 0.1 | head -c 1`: head leaves after one byte; the watch must notice and end.
  auto pipeline = std::make_unique<testing::child_process>(
      std::vector<std::string>{
          "/bin/sh", "-c",
          "'" + testing::binary_path().string() + "' job status " + job + " --watch 0.1 | head -c 1 >/dev/null; wait"},
      dir.path() / "pipeline");
  auto status = pipeline->wait(10s);
  ASSERT_TRUE(status.has_value()) << "status --watch kept running with nobody reading it";
}

TEST(job_command_signals, a_watch_or_lease_of_nan_seconds_is_refused) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"status", "redis://127.0.0.1:1/x", "--watch", "nan"},
        std::vector<std::string>{"work", "redis://127.0.0.1:1/x", "--lease", "nan"}}) {
    auto r = run_job(args);
    EXPECT_EQ(r.exit_code, 2) << args[0];
    EXPECT_NE(r.err.find("nan is not a number of seconds"), std::string::npos) << r.err;
    EXPECT_EQ(testing::line_count(r.err), 1U) << r.err;
  }
}

}  // namespace
}  // namespace serentak
