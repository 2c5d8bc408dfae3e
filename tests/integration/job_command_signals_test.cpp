// The job commands other than `work` against a Redis that stops answering (SIGSTOPped: its kernel
// still accepts connections and data, so nothing fails and every read just waits) and a Redis that
// restarts: Ctrl-C ends each at once with 130, and `status --watch` waits an outage out. A command
// started while Redis loads its data after a restart waits for it.
#include <csignal>
#include <filesystem>
#include <fstream>
#include <optional>
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

// collect --resume reads the whole file it appends to before it asks Redis for records: seconds for a
// million records (2.7 s in a release build), deaf to Ctrl-C until now. It looks every 64 KiB. The
// records carry a 7,000-byte error each (70 MB in all, for 10,000 items: the push stays cheap), so the
// read outlasts the 300 ms before the signal even in an optimised build (about 0.85 s; the tests run
// in debug builds, several times slower).
TEST(job_command_signals, ctrl_c_ends_collect_resume_while_it_reads_a_large_file_and_leaves_the_file) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  const std::string job = redis.url("large");
  constexpr int items = 10000;
  const auto file = dir.path() / "collected.jsonl";
  const std::string padding(7000, 'x');
  {
    std::ofstream list(dir.path() / "ids.txt");
    std::ofstream out(file);
    for (int i = 0; i < items; ++i) {
      list << "u" << i << "\n";
      out << R"({"index":)" << i << R"(,"item":"u)" << i << R"(","url":"http://127.0.0.1:9/p?id=u)" << i
          << R"(","outcome":"connection_error","status":0,"attempts":1,"latency_ms":0.5,"error":")" << padding
          << R"("})"
          << "\n";
    }
  }
  ASSERT_EQ(
      run_job({"push", job, "--url", "http://127.0.0.1:9/p?id={}", "-i", (dir.path() / "ids.txt").string()}).exit_code,
      0);
  // Compared by size: a collect would append records or cut a torn line (reading 70 MB back in a
  // debug build cost more than the rest of the test).
  const auto before = std::filesystem::file_size(file);
  auto c = start_job({"collect", job, "-o", file.string(), "--resume"}, dir.path(), "collect");
  ASSERT_TRUE(c->wait_until_watching(10s));
  std::this_thread::sleep_for(300ms);
  c->signal(SIGINT);
  auto status = c->wait(1500ms);
  ASSERT_TRUE(status.has_value()) << "collect --resume ignored Ctrl-C while it read the file";
  EXPECT_EQ(*status, 130) << c->err();
  EXPECT_EQ(std::filesystem::file_size(file), before) << "the file was changed";
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

// After a restart Redis answers LOADING until it has read its data back (made to last seconds here:
// a delay per key, and the AOF rewritten so its keys load from the RDB base). A command started then
// waits for it, saying so once each way, instead of failing; Ctrl-C ends that wait; a watch outlives it.
TEST(job_command_signals, commands_started_while_redis_loads_its_data_wait_for_it) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path(),
                              {"--key-load-delay", "400", "--loading-process-events-interval-bytes", "1024"});
  const std::string job = redis.url("loading");
  ASSERT_EQ(run_job({"push", job, "--url", "http://127.0.0.1:1/x?id={}", "a", "b"}).exit_code, 0);
  // 20,000 keys at 400 us each: about 8 s of loading, time for three commands to start (slowly under TSan).
  ASSERT_EQ(redis.cli({"EVAL", "for i = 1, 20000 do redis.call('SET', 'filler:' .. i, 'x') end return 1", "0"}), "1");
  redis.cli({"BGREWRITEAOF"});
  bool rewritten = false;
  for (int i = 0; i < 200 && !rewritten; ++i) {
    std::this_thread::sleep_for(50ms);
    const std::string info = redis.cli({"INFO", "persistence"});
    rewritten = info.find("aof_rewrite_in_progress:0") != std::string::npos &&
                info.find("aof_rewrite_scheduled:0") != std::string::npos &&
                info.find("aof_last_bgrewrite_status:ok") != std::string::npos;
  }
  ASSERT_TRUE(rewritten);
  auto watch = start_job({"status", job, "--watch", "0.2", "--json"}, dir.path(), "watch");
  ASSERT_TRUE(watch->wait_until_watching(10s));
  std::this_thread::sleep_for(500ms);

  redis.kill();
  ASSERT_TRUE(redis.start(false));
  const bool loading = redis.cli({"PING"}).find("LOADING") != std::string::npos;
  ASSERT_TRUE(loading) << "Redis did not answer LOADING: nothing here would be tested";
  auto status = start_job({"status", job, "--json"}, dir.path(), "status");
  auto work = start_job({"work", job}, dir.path(), "work");
  auto collect = start_job({"collect", job, "-o", (dir.path() / "c.jsonl").string()}, dir.path(), "collect");
  // Each says it waits (it has connected and been told LOADING) before Ctrl-C goes to one of them.
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  auto all_waiting = [&] {
    for (auto* c : {status.get(), work.get(), collect.get()}) {
      if (c->err().find("waiting for it to load") == std::string::npos) return false;
    }
    return true;
  };
  while (!all_waiting() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(all_waiting()) << status->err() << work->err() << collect->err();
  collect->signal(SIGINT);
  const std::optional<int> collect_status = collect->wait(1500ms);
  EXPECT_NE(redis.cli({"PING"}).find("LOADING"), std::string::npos) << "loading ended too soon for this test";

  ASSERT_TRUE(collect_status.has_value()) << "Ctrl-C did not end the wait for a loading Redis: " << collect->err();
  EXPECT_EQ(*collect_status, 130) << collect->err();
  EXPECT_NE(collect->err().find("waiting for it to load"), std::string::npos) << collect->err();

  for (auto* c : {status.get(), work.get()}) {
    auto exit = c->wait(20s);
    ASSERT_TRUE(exit.has_value()) << c->err();
    EXPECT_EQ(*exit, 0) << c->err();
    const std::string err = c->err();
    EXPECT_NE(err.find("LOADING Redis is loading the dataset in memory; waiting for it to load"), std::string::npos)
        << err;
    EXPECT_NE(err.find(" has loaded its data"), std::string::npos) << err;
  }
  EXPECT_NE(status->out().find("\"pushed\":2"), std::string::npos) << status->out();
  EXPECT_EQ(testing::line_count(status->err()), 2U) << status->err();
  EXPECT_EQ(redis.cli({"HLEN", "serentak:loading:records"}), "2") << work->err();

  EXPECT_FALSE(watch->wait(0ms).has_value()) << "the watch must outlive Redis's loading: " << watch->err();
  watch->signal(SIGINT);
  auto watch_status = watch->wait(3s);
  ASSERT_TRUE(watch_status.has_value());
  EXPECT_EQ(*watch_status, 130) << watch->err();
  EXPECT_NE(watch->err().find("answers again"), std::string::npos) << watch->err();
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

TEST(job_command_signals, a_watch_lease_or_timeout_of_nan_or_inf_seconds_is_refused) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"status", "redis://127.0.0.1:1/x", "--watch", "nan"},
        std::vector<std::string>{"work", "redis://127.0.0.1:1/x", "--lease", "nan"},
        std::vector<std::string>{"push", "redis://127.0.0.1:1/x", "--url", "http://127.0.0.1:1/{}", "a", "--timeout",
                                 "nan"},
        std::vector<std::string>{"push", "redis://127.0.0.1:1/x", "--url", "http://127.0.0.1:1/{}", "a",
                                 "--connect-timeout", "inf"}}) {
    auto r = run_job(args);
    EXPECT_EQ(r.exit_code, 2) << args[0];
    EXPECT_NE(r.err.find(": '" + args.back() + "' is not a duration"), std::string::npos) << r.err;
    EXPECT_EQ(testing::line_count(r.err), 1U) << r.err;
  }
}

}  // namespace
}  // namespace serentak
