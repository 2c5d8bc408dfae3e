// `serentak job` against a real redis-server and the real `serentak serve`: push, several worker
// processes, collect exactly one record per item; idempotent push; a different specification,
// a wrong address, a refused AUTH, a missing job and TLS to a plain port each one line and exit 2; status,
// retry and delete.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "queue/job_spec.hpp"
#include "support/file_text.hpp"
#include "support/job_harness.hpp"
#include "support/process_runner.hpp"
#include "support/redis_server.hpp"
#include "support/serve_process.hpp"
#include "support/test_paths.hpp"

namespace serentak {
namespace {

using namespace std::chrono_literals;
using testing::line_count;
using testing::run_job;

TEST(job_queue, three_workers_in_separate_processes_leave_exactly_one_record_per_item) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  testing::serve_process serve({"--quiet", "--delay-scale", "0.1"});  // books: 10-40 ms
  ASSERT_NE(serve.port(), 0);
  const std::string job = redis.url("books");
  auto push = run_job({"push", job, "--url", serve.base_url() + "/check_book_status?isbn={}", "-i",
                       testing::write_items(dir.path(), 600), "--timeout", "5"});
  ASSERT_EQ(push.exit_code, 0) << push.err;
  EXPECT_NE(push.out.find("600 items, 600 added"), std::string::npos) << push.out;

  std::vector<std::unique_ptr<testing::child_process>> workers;
  for (int w = 0; w < 3; ++w)
    workers.push_back(testing::start_worker(job, {"-c", "20", "--threads", "1"}, dir.path(), "w" + std::to_string(w)));
  std::size_t stored = 0;
  for (auto& w : workers) {
    auto status = w->wait(60s);
    ASSERT_TRUE(status.has_value()) << "a worker did not finish: " << w->err();
    EXPECT_EQ(*status, 0) << w->err();
    EXPECT_NE(w->out().find("job complete"), std::string::npos) << w->out();
    auto at = w->out().find("records stored");
    ASSERT_NE(at, std::string::npos);
    auto comma = w->out().rfind(", ", at);
    stored += std::stoul(w->out().substr(comma + 2, at - comma - 2));
  }
  EXPECT_EQ(stored, 600U) << "each record is stored by exactly one worker";
  // Entries hold several items each: every one was acknowledged with its last item's record, not left
  // pending for a reclaim after the lease.
  const std::string pending = redis.cli({"XPENDING", "serentak:books:items", "workers"});
  EXPECT_EQ(pending.substr(0, pending.find('\n')), "0") << pending;

  auto c = testing::collect(job, dir.path());
  EXPECT_EQ(c.lines, 600U);
  ASSERT_EQ(c.per_index.size(), 600U);
  for (const auto& [index, count] : c.per_index) EXPECT_EQ(count, 1) << "index " << index;
  EXPECT_EQ(c.per_index.rbegin()->first, 599U);
  EXPECT_EQ(c.per_outcome["not_found"], 600U) << "the books API knows none of these ISBNs";

  auto status = run_job({"status", job, "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  auto j = nlohmann::json::parse(status.out);
  EXPECT_EQ(j["items"], 600);
  EXPECT_EQ(j["done"], 600);
  EXPECT_EQ(j["in_flight"], 0);
  EXPECT_EQ(j["waiting"], 0);
  EXPECT_EQ(j["outcomes"]["not_found"], 600);
  // Each worker left the consumer group as it exited holding nothing: gone, not silent, its records kept.
  ASSERT_EQ(j["workers"].size(), 3U);
  std::size_t by_workers = 0;
  for (const auto& w : j["workers"]) {
    EXPECT_EQ(w["state"], "gone") << w.dump();
    EXPECT_TRUE(w["idle_ms"].is_null()) << w.dump();
    by_workers += w["records"].get<std::size_t>();
  }
  EXPECT_EQ(by_workers, 600U);
  EXPECT_EQ(redis.cli({"XINFO", "CONSUMERS", "serentak:books:items", "workers"}), "");
  auto text = run_job({"status", job});
  EXPECT_NE(text.out.find("workers    0 active, 3 gone\n  3 gone (exited, or silent past the lease and holding "
                          "nothing): 600 records\n"),
            std::string::npos)
      << text.out;

  auto csv = run_job({"collect", job, "-o", (dir.path() / "all.csv").string()});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  std::ifstream in(dir.path() / "all.csv");
  std::string header;
  std::getline(in, header);
  EXPECT_EQ(header, "index,item,url,outcome,status,attempts,latency_ms,error,data,http_version");
  std::size_t rows = 0;
  for (std::string line; std::getline(in, line);) ++rows;
  EXPECT_EQ(rows, 600U);
}

TEST(job_queue, pushing_the_same_job_twice_adds_nothing_and_a_different_spec_is_exit_2) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  const std::string job = redis.url("twice");
  std::string items = testing::write_items(dir.path(), 2500);
  std::vector<std::string> push{"push", job, "--url", "http://127.0.0.1:9/p?id={}", "-i", items, "--retries", "2"};
  auto first = run_job(push);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto second = run_job(push);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("2500 items, 0 added"), std::string::npos) << second.out;
  EXPECT_EQ(second.err, "");
  EXPECT_EQ(testing::stream_items(redis, "twice"), "2500");

  // The job's first items alone add nothing (items are identified by position), and the job keeps its
  // 2,500: said as such, with a warning, instead of "3 items, 0 added".
  auto shorter = push;
  shorter[5] = (dir.path() / "first3.txt").string();
  std::ofstream(shorter[5]) << "i0\ni1\ni2\n";
  auto short_push = run_job(shorter);
  ASSERT_EQ(short_push.exit_code, 0) << short_push.err;
  EXPECT_NE(short_push.out.find("3 items, 0 added by this push; the job has 2500 items"), std::string::npos)
      << short_push.out;
  EXPECT_NE(short_push.err.find("warning: this push's 3 items are the first of the job's 2500: nothing added"),
            std::string::npos)
      << short_push.err;
  EXPECT_EQ(line_count(short_push.err), 1U) << short_push.err;
  EXPECT_EQ(testing::stream_items(redis, "twice"), "2500");

  auto other = push;
  other[3] = "http://127.0.0.1:9/q?id={}";
  auto different = run_job(other);
  EXPECT_EQ(different.exit_code, 2);
  EXPECT_EQ(line_count(different.err), 1U) << different.err;
  EXPECT_NE(different.err.find("different specification: url is \"http://127.0.0.1:9/p?id={}\" in the job, "
                               "\"http://127.0.0.1:9/q?id={}\" in this push"),
            std::string::npos)
      << different.err;
  EXPECT_EQ(testing::stream_items(redis, "twice"), "2500");

  // Defaults spelled out are the same request: -X GET, a connect timeout no shorter than --timeout,
  // in seconds or with a unit.
  for (const auto& [timeout, connect] : {std::pair{"30", "30"}, std::pair{"30s", "0.5m"}}) {
    auto spelled = push;
    spelled.insert(spelled.end(), {"-X", "GET", "--timeout", timeout, "--connect-timeout", connect});
    auto same = run_job(spelled);
    EXPECT_EQ(same.exit_code, 0) << timeout << ": " << same.err;
    EXPECT_NE(same.out.find("2500 items, 0 added"), std::string::npos) << timeout << ": " << same.out;
  }
  auto shorter_timeout = push;
  shorter_timeout.insert(shorter_timeout.end(), {"--timeout", "500ms"});
  EXPECT_EQ(run_job(shorter_timeout).exit_code, 2) << "500ms is not the job's 30 s";

  // The options from a --config file (no table, or [job.push]) are the same job; the command line wins.
  for (const char* table : {"", "[job.push]\n"}) {
    std::ofstream(dir.path() / "push.toml") << table << "url = \"http://127.0.0.1:9/p?id={}\"\nretries = 2\n"
                                            << "timeout = \"30s\"\n";
    auto configured = run_job({"push", job, "--config", (dir.path() / "push.toml").string(), "-i", items});
    EXPECT_EQ(configured.exit_code, 0) << table << configured.err;
    EXPECT_NE(configured.out.find("2500 items, 0 added"), std::string::npos) << table << configured.out;
  }
  auto overridden = run_job({"push", job, "--config", (dir.path() / "push.toml").string(), "-i", items, "--url",
                             "http://127.0.0.1:9/q?id={}"});
  EXPECT_EQ(overridden.exit_code, 2) << "the command line's --url wins, and it is not the job's";
  EXPECT_NE(overridden.err.find("\"http://127.0.0.1:9/q?id={}\" in this push"), std::string::npos) << overridden.err;
  std::ofstream(dir.path() / "bad.toml") << "timout = \"5s\"\n";
  auto bad_config = run_job({"push", job, "--config", (dir.path() / "bad.toml").string(), "-i", items});
  EXPECT_EQ(bad_config.exit_code, 2);
  EXPECT_NE(bad_config.err.find("'timout' is not an option of push (see 'serentak job push --help')"),
            std::string::npos)
      << bad_config.err;
  EXPECT_EQ(line_count(bad_config.err), 1U) << bad_config.err;
  EXPECT_EQ(testing::stream_items(redis, "twice"), "2500");

  // A job an older serentak stored with the default spelled out ("method":"GET") takes a push
  // without it, and keeps its specification.
  const std::string stored_spec = redis.cli({"HGET", "serentak:twice:meta", "spec"});
  const std::string older_spec = stored_spec.substr(0, stored_spec.size() - 1) + ",\"method\":\"GET\"}";
  const std::string canonical = nlohmann::json::parse(older_spec).dump();  // sorted keys, as stored
  std::uint64_t fnv = 0xcbf29ce484222325ULL;                               // job_spec::digest: FNV-1a 64 over the JSON
  for (unsigned char c : canonical) fnv = (fnv ^ c) * 0x100000001b3ULL;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fnv));
  redis.cli({"HSET", "serentak:twice:meta", "spec", canonical, "digest", hex});
  auto older = run_job(push);
  EXPECT_EQ(older.exit_code, 0) << older.err;
  EXPECT_NE(older.out.find("2500 items, 0 added"), std::string::npos) << older.out;
  EXPECT_EQ(redis.cli({"HGET", "serentak:twice:meta", "spec"}), canonical);
}

// Items are identified by position, so a list that is not the job's must not pass for it: the same
// length with one item changed, or a longer list whose first items differ, is exit 2 and adds nothing;
// the same list made longer adds only the new items.
TEST(job_queue, a_different_item_list_under_the_same_job_is_exit_2_and_adds_nothing) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  const std::string job = redis.url("lists");
  const std::filesystem::path ids = dir.path() / "ids.txt";
  auto write_list = [&](int count, int changed) {
    std::ofstream out(ids, std::ios::trunc);
    for (int i = 0; i < count; ++i) out << (i == changed ? "x" : "id") << i << "\n";
  };
  const std::vector<std::string> push{"push", job, "--url", "http://127.0.0.1:9/p?id={}", "-i", ids.string()};
  write_list(2500, -1);
  ASSERT_EQ(run_job(push).exit_code, 0);

  auto refused = [&](const std::string& why) {
    auto r = run_job(push);
    EXPECT_EQ(r.exit_code, 2) << why << ": " << r.out << r.err;
    EXPECT_EQ(line_count(r.err), 1U) << r.err;
    EXPECT_NE(r.err.find("already holds a different item list: its first 2500 items are not this push's"),
              std::string::npos)
        << why << ": " << r.err;
    EXPECT_EQ(testing::stream_items(redis, "lists"), "2500") << why;
  };
  write_list(2500, 1700);
  refused("the same length, one item changed");
  write_list(2600, 3);
  refused("longer, an early item changed");
  write_list(2500, 2499);
  refused("the same length, the last item changed");
  // A shorter list is read against the job's first items: another one (a new day's list that happens
  // to be shorter) would otherwise pass, adding nothing, while the workers fetch the old list.
  auto refused_shorter = [&](const std::string& why, int count) {
    auto r = run_job(push);
    EXPECT_EQ(r.exit_code, 2) << why << ": " << r.out << r.err;
    EXPECT_EQ(line_count(r.err), 1U) << r.err;
    EXPECT_NE(r.err.find("already holds a different item list: its first " + std::to_string(count) +
                         " items are not this push's"),
              std::string::npos)
        << why << ": " << r.err;
  };
  write_list(1200, 0);
  refused_shorter("shorter, the first item changed", 1200);
  write_list(1200, 1199);
  refused_shorter("shorter, its last item changed", 1200);

  write_list(2600, -1);
  auto longer = run_job(push);
  EXPECT_EQ(longer.exit_code, 0) << longer.err;
  EXPECT_NE(longer.out.find("2600 items, 100 added"), std::string::npos) << longer.out;
  EXPECT_EQ(testing::stream_items(redis, "lists"), "2600");
  // Pushing it again reads the items for their digest and sends none of them: two script calls
  // (create, finish), not one per 1,000 items.
  auto script_calls = [&] {
    const std::string stats = redis.cli({"INFO", "commandstats"});
    const auto at = stats.find("cmdstat_evalsha:calls=");
    return at == std::string::npos ? -1 : std::stoi(stats.substr(at + 22));
  };
  const int calls_before = script_calls();
  auto again = run_job(push);
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("2600 items, 0 added"), std::string::npos) << again.out;
  EXPECT_EQ(script_calls() - calls_before, 2) << "the items already pushed were sent again";

  // After a retry (whose entries take a new generation) and a longer push in that generation, a
  // shorter list is still read back in the items' order, across both generations.
  redis.cli({"HSET", "serentak:lists:records", "3", R"({"outcome":"timeout"})"});
  ASSERT_EQ(run_job({"retry", job, "--outcome", "timeout"}).exit_code, 0);
  write_list(2700, -1);
  ASSERT_EQ(run_job(push).exit_code, 0);
  EXPECT_NE(redis.cli({"HGET", "serentak:lists:meta", "push_generations"}).find(":2600"), std::string::npos);
  write_list(2650, -1);
  auto prefix = run_job(push);
  EXPECT_EQ(prefix.exit_code, 0) << prefix.err;
  EXPECT_NE(prefix.err.find("are the first of the job's 2700"), std::string::npos) << prefix.err;
  write_list(2650, 2640);
  refused_shorter("shorter, an item of the second generation changed", 2650);

  // A job pushed by an older serentak has no items digest: a longer push goes on unchecked, as before;
  // a shorter one is read back all the same.
  redis.cli({"HDEL", "serentak:lists:meta", "items_digest"});
  write_list(2800, 5);
  auto unchecked = run_job(push);
  EXPECT_EQ(unchecked.exit_code, 0) << unchecked.err;
  EXPECT_EQ(redis.cli({"HEXISTS", "serentak:lists:meta", "items_digest"}), "0");
  write_list(2000, 6);
  refused_shorter("shorter, a job with no items digest", 2000);
}

// A job deleted while its push streams items in: the push says so in words (the scripts' refusal
// markers are not for users) and exits 2.
TEST(job_queue, a_job_deleted_during_its_push_is_said_in_words) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  const std::string job = redis.url("moving");
  auto push = std::make_unique<testing::child_process>(
      std::vector<std::string>{testing::binary_path().string(), "job", "push", job, "--url",
                               "http://127.0.0.1:9/p?id={}", "-i", testing::write_items(dir.path(), 400000)},
      dir.path() / "push");
  bool streaming = false;
  for (int i = 0; i < 400 && !streaming; ++i) {
    const std::string n = redis.cli({"XLEN", "serentak:moving:items"});
    streaming = !n.empty() && std::stoul(n) > 0;
    if (!streaming) std::this_thread::sleep_for(10ms);
  }
  ASSERT_TRUE(streaming);
  ASSERT_EQ(run_job({"delete", job}).exit_code, 0);
  auto status = push->wait(60s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 2) << push->out() << push->err();
  EXPECT_NE(push->err().find("job 'moving' was deleted (maybe pushed again) during this push; push again"),
            std::string::npos)
      << push->err();
  EXPECT_EQ(push->err().find("SERENTAK_"), std::string::npos) << push->err();
}

TEST(job_queue, wrong_address_refused_auth_missing_job_and_tls_to_a_plain_port_are_one_line_and_exit_2) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path(), {"--requirepass", "pa55-Secret"});
  const std::string host = "127.0.0.1:" + std::to_string(redis.port());
  unsigned short nobody = testing::free_loopback_port();

  auto refused = run_job({"status", "redis://127.0.0.1:" + std::to_string(nobody) + "/x"}, 20s);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_EQ(line_count(refused.err), 1U) << refused.err;
  EXPECT_NE(refused.err.find("serentak job status: Redis at 127.0.0.1:"), std::string::npos) << refused.err;

  auto bad_auth = run_job({"work", "redis://:wrong-Secret-99@" + host + "/x"}, 20s);
  EXPECT_EQ(bad_auth.exit_code, 2);
  EXPECT_EQ(line_count(bad_auth.err), 1U) << bad_auth.err;
  EXPECT_NE(bad_auth.err.find("refused the credentials"), std::string::npos) << bad_auth.err;
  EXPECT_EQ((bad_auth.out + bad_auth.err).find("wrong-Secret-99"), std::string::npos)
      << "the password must never be shown";

  auto missing = run_job({"work", "redis://default:pa55-Secret@" + host + "/nosuchjob"}, 20s);
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(line_count(missing.err), 1U) << missing.err;
  EXPECT_NE(missing.err.find("no job 'nosuchjob'"), std::string::npos) << missing.err;
  EXPECT_EQ((missing.out + missing.err).find("pa55-Secret"), std::string::npos);

  auto tls = run_job({"status", "rediss://" + host + "/x"}, 20s);  // TLS to a plain port (job_tls_test: TLS itself)
  EXPECT_EQ(tls.exit_code, 2);
  EXPECT_EQ(line_count(tls.err), 1U) << tls.err;
  EXPECT_NE(tls.err.find("TLS: handshake timed out"), std::string::npos) << tls.err;

  auto malformed = run_job({"status", "http://" + host + "/x"}, 20s);
  EXPECT_EQ(malformed.exit_code, 2);
  EXPECT_EQ(line_count(malformed.err), 1U) << malformed.err;

  // The right password works (user "default", Redis 6+ ACL form).
  auto push =
      run_job({"push", "redis://default:pa55-Secret@" + host + "/ok", "--url", "http://127.0.0.1:9/{}", "a", "b"}, 20s);
  EXPECT_EQ(push.exit_code, 0) << push.err;

  // Or from the environment, out of the process list: alone, or for a user named in the address.
  ::setenv("SERENTAK_REDIS_PASSWORD", "pa55-Secret", 1);
  auto from_env = run_job({"status", "redis://" + host + "/ok"}, 20s);
  EXPECT_EQ(from_env.exit_code, 0) << from_env.err;
  auto user_and_env = run_job({"status", "redis://default:@" + host + "/ok"}, 20s);
  EXPECT_EQ(user_and_env.exit_code, 0) << user_and_env.err;
  auto address_wins = run_job({"status", "redis://:wrong-Secret-99@" + host + "/ok"}, 20s);
  EXPECT_EQ(address_wins.exit_code, 2) << "a password in the address is the one used";
  ::unsetenv("SERENTAK_REDIS_PASSWORD");
}

TEST(job_queue, retry_requeues_failures_once_collect_resumes_status_watches_and_delete_removes_the_job) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  // isbn i3 answers 503 every time: server_error; everything else not_found.
  testing::serve_process serve({"--quiet", "--delay-scale", "0", "--fault", "books:isbn=i3:503"});
  ASSERT_NE(serve.port(), 0);
  const std::string job = redis.url("retry");
  ASSERT_EQ(run_job({"push", job, "--url", serve.base_url() + "/check_book_status?isbn={}", "-i",
                     testing::write_items(dir.path(), 20)})
                .exit_code,
            0);
  auto first = testing::start_worker(job, {"-c", "5"}, dir.path(), "first");
  ASSERT_EQ(first->wait(30s), 0) << first->err();

  // --outcome and collect's -o are required, and may come from --config.
  auto no_outcome = run_job({"retry", job});
  EXPECT_EQ(no_outcome.exit_code, 2);
  EXPECT_NE(no_outcome.err.find("--outcome is required (on the command line or in --config)"), std::string::npos)
      << no_outcome.err;
  std::ofstream(dir.path() / "retry.toml") << "[job.retry]\noutcome = \"server_error,timeout\"\n";
  auto retry = run_job({"retry", job, "--config", (dir.path() / "retry.toml").string()});
  ASSERT_EQ(retry.exit_code, 0) << retry.err;
  EXPECT_NE(retry.out.find("1 items re-queued"), std::string::npos) << retry.out;
  auto second = testing::start_worker(job, {"-c", "5"}, dir.path(), "second");
  ASSERT_EQ(second->wait(30s), 0) << second->err();
  EXPECT_NE(second->out().find("1 items fetched, 1 records stored"), std::string::npos) << second->out();

  auto c = testing::collect(job, dir.path());
  EXPECT_EQ(c.lines, 20U);
  EXPECT_EQ(c.per_index.size(), 20U);
  EXPECT_EQ(c.per_outcome["server_error"], 1U);
  auto no_out = run_job({"collect", job});
  EXPECT_EQ(no_out.exit_code, 2);
  EXPECT_NE(no_out.err.find("--out is required"), std::string::npos) << no_out.err;
  const auto configured_out = dir.path() / "configured.jsonl";
  std::ofstream(dir.path() / "collect.toml") << "out = \"" << configured_out.string() << "\"\n";
  auto configured = run_job({"collect", job, "--config", (dir.path() / "collect.toml").string()});
  ASSERT_EQ(configured.exit_code, 0) << configured.err;
  std::ifstream configured_in(configured_out);
  EXPECT_EQ(std::count(std::istreambuf_iterator<char>(configured_in), std::istreambuf_iterator<char>(), '\n'), 20);
  // -o -: the records on stdout (JSONL, or CSV with --format), the summary on stderr, as `fetch --out -`.
  auto piped = run_job({"collect", job, "-o", "-"});
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(line_count(piped.out), 20U);
  EXPECT_EQ(piped.out.rfind("{\"index\":", 0), 0U) << piped.out.substr(0, 200);
  EXPECT_NE(piped.err.find("20 records written to stdout"), std::string::npos) << piped.err;
  EXPECT_FALSE(std::filesystem::exists("-"));
  auto piped_csv = run_job({"collect", job, "-o", "-", "--format", "csv"});
  EXPECT_EQ(line_count(piped_csv.out), 21U) << "a header and 20 rows";
  auto resume_stdout = run_job({"collect", job, "-o", "-", "--resume"});
  EXPECT_EQ(resume_stdout.exit_code, 2);
  EXPECT_NE(resume_stdout.err.find("--resume needs -o FILE, not '-'"), std::string::npos) << resume_stdout.err;

  auto status = nlohmann::json::parse(run_job({"status", job, "--json"}).out);
  EXPECT_EQ(status["outcomes"]["server_error"], 1) << "the retried record is counted once";
  EXPECT_EQ(status["done"], 20);

  // collect --resume keeps what a file has (a torn last line cut) and appends the rest, once each.
  auto partial = dir.path() / "partial.jsonl";
  {
    std::ifstream full(dir.path() / "collected.jsonl");
    std::ofstream part(partial);
    std::string line;
    for (int i = 0; i < 7 && std::getline(full, line); ++i) part << line << "\n";
    part << "{\"index\":1";  // torn
  }
  auto resumed = run_job({"collect", job, "-o", partial.string(), "--resume"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.out.find("13 records written"), std::string::npos) << resumed.out;
  EXPECT_NE(resumed.out.find("(7 already there)"), std::string::npos) << resumed.out;
  std::ifstream again(partial);
  std::map<std::size_t, int> seen;
  for (std::string line; std::getline(again, line);) ++seen[nlohmann::json::parse(line)["index"].get<std::size_t>()];
  EXPECT_EQ(seen.size(), 20U);
  for (const auto& [index, count] : seen) EXPECT_EQ(count, 1) << index;
  EXPECT_EQ(resumed.err, "");

  // Without --resume an existing file is replaced whole: none of its lines are left after the records.
  {
    const auto longer = dir.path() / "longer.jsonl";
    {
      std::ofstream old_lines(longer);
      for (int i = 0; i < 500; ++i) old_lines << "{\"index\":" << i << ",\"old\":true}\n";
    }
    auto replaced = run_job({"collect", job, "-o", longer.string()});
    ASSERT_EQ(replaced.exit_code, 0) << replaced.err;
    EXPECT_EQ(testing::read_file(longer).find("\"old\""), std::string::npos);
    std::ifstream in(longer);
    std::size_t lines = 0;
    for (std::string line; std::getline(in, line);) ++lines;
    EXPECT_EQ(lines, 20U);
  }

  // A file another run is writing (it holds the lock `fetch --out` and collect take) is refused, with
  // or without --resume, and left as it was: not emptied, not appended to.
  {
    const auto size_before = std::filesystem::file_size(partial);
    const int holder = ::open(partial.c_str(), O_WRONLY | O_CLOEXEC);
    ASSERT_GE(holder, 0);
    ASSERT_EQ(::flock(holder, LOCK_EX | LOCK_NB), 0);
    for (bool with_resume : {false, true}) {
      std::vector<std::string> args{"collect", job, "-o", partial.string()};
      if (with_resume) args.push_back("--resume");
      auto busy = run_job(args);
      EXPECT_EQ(busy.exit_code, 2) << with_resume << busy.out << busy.err;
      EXPECT_EQ(line_count(busy.err), 1U) << busy.err;
      EXPECT_NE(busy.err.find("is in use by another serentak run"), std::string::npos) << busy.err;
      EXPECT_EQ(std::filesystem::file_size(partial), size_before) << with_resume;
    }
    ::close(holder);
  }

  // Retried and fetched again after the file was collected: --resume cannot replace the old line,
  // and says so instead of passing the file off as the job's result.
  ASSERT_EQ(run_job({"retry", job, "--outcome", "server_error"}).exit_code, 0);
  auto third = testing::start_worker(job, {"-c", "5"}, dir.path(), "third");
  ASSERT_EQ(third->wait(30s), 0) << third->err();
  auto stale = run_job({"collect", job, "-o", partial.string(), "--resume"});
  ASSERT_EQ(stale.exit_code, 0) << stale.err;
  EXPECT_NE(stale.out.find("0 records written"), std::string::npos) << stale.out;
  EXPECT_NE(stale.err.find("warning: 1 of the records already in"), std::string::npos) << stale.err;
  EXPECT_NE(stale.err.find("collect to a new file for the latest"), std::string::npos) << stale.err;

  // --resume extends only a file this job's collect wrote in that format: another job's records, the
  // other format, or a line that is not a record are one line, exit 2, and the file is left as it was.
  const std::string other = redis.url("other");
  ASSERT_EQ(run_job({"push", other, "--url", serve.base_url() + "/check_book_status?isbn={}", "-i",
                     testing::write_items(dir.path(), 20, "o")})
                .exit_code,
            0);
  auto other_worker = testing::start_worker(other, {"-c", "5"}, dir.path(), "other");
  ASSERT_EQ(other_worker->wait(30s), 0) << other_worker->err();
  const auto size_before = std::filesystem::file_size(partial);
  auto refused_resume = [&](const std::vector<std::string>& args, const std::string& why) {
    auto r = run_job(args);
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_EQ(line_count(r.err), 1U) << r.err;
    EXPECT_NE(r.err.find(why), std::string::npos) << r.err;
  };
  refused_resume({"collect", other, "-o", partial.string(), "--resume"},
                 "holds records of another job or item list (line 1, index ");
  refused_resume({"collect", job, "-o", partial.string(), "--format", "csv", "--resume"},
                 "is not a CSV file collect wrote (line 1 is not the CSV header)");
  EXPECT_EQ(std::filesystem::file_size(partial), size_before);
  auto as_csv = dir.path() / "as.csv";
  ASSERT_EQ(run_job({"collect", job, "-o", as_csv.string()}).exit_code, 0);
  refused_resume({"collect", job, "-o", as_csv.string(), "--format", "jsonl", "--resume"},
                 "is not a JSONL file collect wrote (line 1 is not a record)");
  auto garbage = dir.path() / "garbage.jsonl";
  std::ofstream(garbage) << "garbage\n";
  refused_resume({"collect", job, "-o", garbage.string(), "--resume"},
                 "is not a JSONL file collect wrote (line 1 is not a record)");
  EXPECT_EQ(std::filesystem::file_size(garbage), 8U);
  // Refused before anything is cut: a file of one unfinished line that cannot begin a record (a
  // minified JSON document), and another job's file whose last line is torn, are left whole.
  auto minified = dir.path() / "data.json";
  std::ofstream(minified) << R"({"settings":{"a":1,"b":[1,2,3]}})";
  refused_resume({"collect", job, "-o", minified.string(), "--resume"},
                 "its last line, unfinished, is not the start of a record");
  EXPECT_EQ(std::filesystem::file_size(minified), 32U);
  auto others = dir.path() / "others.jsonl";
  ASSERT_EQ(run_job({"collect", other, "-o", others.string()}).exit_code, 0);
  std::ofstream(others, std::ios::app) << R"({"index":3,"item":"o)";
  const auto others_size = std::filesystem::file_size(others);
  refused_resume({"collect", job, "-o", others.string(), "--resume"}, "holds records of another job or item list");
  EXPECT_EQ(std::filesystem::file_size(others), others_size);
  // A job with no record yet for the file's indexes: the items its push wrote there are compared.
  const std::string fresh = redis.url("fresh");
  ASSERT_EQ(run_job({"push", fresh, "--url", serve.base_url() + "/check_book_status?isbn={}", "-i",
                     testing::write_items(dir.path(), 20, "f")})
                .exit_code,
            0);
  refused_resume({"collect", fresh, "-o", others.string(), "--resume"}, "holds records of another job or item list");
  // The same items under another URL template: the URL the job would record there is compared too.
  const std::string same_items = redis.url("sameitems");
  ASSERT_EQ(run_job({"push", same_items, "--url", serve.base_url() + "/check_book_status?v=2&isbn={}", "-i",
                     testing::write_items(dir.path(), 20)})
                .exit_code,
            0);
  refused_resume({"collect", same_items, "-o", partial.string(), "--resume"}, "holds records of another job");

  // A write that fails part way (here the file size limit) is cut back to whole records: exit 3, and
  // --resume completes the file.
  auto limited = dir.path() / "limited.jsonl";
  auto cut = testing::run_process(
      {"/bin/bash", "-c",
       "ulimit -f 4; exec '" + testing::binary_path().string() + "' job collect " + job + " -o " + limited.string()},
      30s, dir.path().string());
  EXPECT_EQ(cut.exit_code, 3) << cut.err;
  EXPECT_NE(cut.err.find("the file holds whole records"), std::string::npos) << cut.err;
  {
    std::ifstream in(limited, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(text.back(), '\n') << "a torn record was left";
    EXPECT_LE(text.size(), 4096U);
  }
  auto completed = run_job({"collect", job, "-o", limited.string(), "--resume"});
  ASSERT_EQ(completed.exit_code, 0) << completed.err;
  EXPECT_EQ(line_count(testing::read_file(limited)), 20U);

  // status --watch refreshes until interrupted.
  auto watch = std::make_unique<testing::child_process>(
      std::vector<std::string>{testing::binary_path().string(), "job", "status", job, "--watch", "0.2"},
      dir.path() / "watch");
  ASSERT_TRUE(watch->wait_until_watching(10s));
  std::this_thread::sleep_for(700ms);
  watch->signal(SIGINT);
  EXPECT_EQ(watch->wait(5s), 130);
  std::string shown = watch->out();
  std::size_t refreshes = 0;
  for (auto at = shown.find("--- job retry ---"); at != std::string::npos; at = shown.find("--- job retry ---", at + 1))
    ++refreshes;
  EXPECT_GE(refreshes, 2U) << shown;

  auto bad = run_job({"retry", job, "--outcome", "sometimes"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("is not an outcome (ok, "), std::string::npos) << "the outcomes are listed: " << bad.err;

  auto removed = run_job({"delete", job});
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_EQ(redis.cli({"EXISTS", "serentak:retry:meta", "serentak:retry:items", "serentak:retry:records"}), "0");
  EXPECT_EQ(run_job({"status", job}).exit_code, 2);
  auto gone = run_job({"delete", job});
  EXPECT_EQ(gone.exit_code, 2);
  EXPECT_NE(gone.err.find("no job 'retry'"), std::string::npos) << gone.err;

  // A broken job (its meta another program's string, its records left) is still deletable.
  redis.cli({"SET", "serentak:retry:meta", "not a hash"});
  redis.cli({"HSET", "serentak:retry:records", "0", "{}"});
  auto broken = run_job({"delete", job});
  EXPECT_EQ(broken.exit_code, 0) << broken.err;
  EXPECT_NE(broken.out.find("deleted (2 keys)"), std::string::npos) << broken.out;
  EXPECT_EQ(redis.cli({"EXISTS", "serentak:retry:meta", "serentak:retry:records"}), "0");
}

// A retry may run before the push has finished (a push interrupted and run again later, or items
// added to a finished job): the push still adds the rest, and a retried item pushed after a retry
// is found and re-queued too. Each item ends with one record.
TEST(job_queue, a_push_continues_after_a_retry_and_items_it_added_then_can_be_retried) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  // i3 (pushed first) and i33 (pushed after the first retry) answer 503 every time.
  testing::serve_process serve(
      {"--quiet", "--delay-scale", "0", "--fault", "books:isbn=i3:503", "--fault", "books:isbn=i33:503"});
  ASSERT_NE(serve.port(), 0);
  const std::string job = redis.url("late");
  const std::string url = serve.base_url() + "/check_book_status?isbn={}";
  auto first_half = run_job({"push", job, "--url", url, "-i", testing::write_items(dir.path(), 20)});
  ASSERT_EQ(first_half.exit_code, 0) << first_half.err;
  auto w1 = testing::start_worker(job, {"-c", "5"}, dir.path(), "w1");
  ASSERT_EQ(w1->wait(30s), 0) << w1->err();

  auto retry = run_job({"retry", job, "--outcome", "server_error"});
  ASSERT_EQ(retry.exit_code, 0) << retry.err;
  EXPECT_NE(retry.out.find("1 items re-queued"), std::string::npos) << retry.out;

  // The same first 20 items and 20 more: the push adds the 20 new ones above the retried entry.
  auto whole = run_job({"push", job, "--url", url, "-i", testing::write_items(dir.path(), 40)});
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  EXPECT_NE(whole.out.find("40 items, 20 added"), std::string::npos) << whole.out;
  auto w2 = testing::start_worker(job, {"-c", "5"}, dir.path(), "w2");
  ASSERT_EQ(w2->wait(30s), 0) << w2->err();

  // Two retries at once, of different items: each re-queueing call takes its own generation of
  // entry IDs, so neither's entries can fall below the other's. i33 is found among the entries the
  // second push added.
  auto a = std::make_unique<testing::child_process>(
      std::vector<std::string>{testing::binary_path().string(), "job", "retry", job, "--outcome", "server_error"},
      dir.path() / "retry_a");
  auto b = run_job({"retry", job, "--outcome", "not_found"});
  ASSERT_EQ(a->wait(30s), 0) << a->err();
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_NE(a->out().find("2 items re-queued"), std::string::npos) << a->out();
  EXPECT_NE(b.out.find("38 items re-queued"), std::string::npos) << b.out;
  auto w3 = testing::start_worker(job, {"-c", "5"}, dir.path(), "w3");
  ASSERT_EQ(w3->wait(30s), 0) << w3->err();
  EXPECT_NE(w3->out().find("40 items fetched, 40 records stored"), std::string::npos) << w3->out();

  auto c = testing::collect(job, dir.path());
  EXPECT_EQ(c.lines, 40U);
  EXPECT_EQ(c.per_index.size(), 40U);
  for (const auto& [index, count] : c.per_index) EXPECT_EQ(count, 1) << index;
  EXPECT_EQ(c.per_outcome["server_error"], 2U);
  EXPECT_EQ(c.per_outcome["not_found"], 38U);
  auto status = nlohmann::json::parse(run_job({"status", job, "--json"}).out);
  EXPECT_EQ(status["done"], 40);
  EXPECT_EQ(status["outcomes"]["server_error"], 2);
}

// The records hash is the server's to say: a field that is not an index, or an index far past the job's
// items, must neither crash `job collect` (it sized a bitmap by the index: bad_alloc, exit 3) nor cost
// it gigabytes, nor reach the file: it holds every item's record once and nothing else.
// Entries no push wrote (another program's XADD into the job's stream) have no item index: a worker
// acknowledges them instead of leaving them pending, where they were reclaimed every lease for ever
// and counted as in flight. One pending for a worker that died is taken back and acknowledged too.
TEST(job_queue, a_worker_acknowledges_stream_entries_that_no_push_wrote) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  testing::serve_process serve({"--quiet", "--delay-scale", "0"});
  const std::string job = redis.url("foreign");
  ASSERT_EQ(run_job({"push", job, "--url", serve.base_url() + "/check_book_status?isbn={}", "-i",
                     testing::write_items(dir.path(), 5)})
                .exit_code,
            0);
  redis.cli({"XADD", "serentak:foreign:items", "*", "i", "not-an-index", "item", "x"});
  // The five items and the first foreign entry go to a worker that dies: pending, reclaimed after the
  // lease; the second foreign entry is read as new.
  redis.cli({"XREADGROUP", "GROUP", "workers", "ghost", "COUNT", "6", "STREAMS", "serentak:foreign:items", ">"});
  redis.cli({"XADD", "serentak:foreign:items", "*", "other", "field"});
  std::this_thread::sleep_for(1100ms);
  auto w = testing::start_worker(job, {"-c", "20", "--lease", "1"}, dir.path(), "w");  // room for all 7
  auto done = w->wait(30s);
  ASSERT_TRUE(done.has_value()) << w->err();
  EXPECT_EQ(*done, 0) << w->err();
  EXPECT_EQ(redis.cli({"HLEN", "serentak:foreign:records"}), "5");
  const std::string pending = redis.cli({"XPENDING", "serentak:foreign:items", "workers"});
  EXPECT_EQ(pending.substr(0, pending.find('\n')), "0") << "entries left pending:\n" << pending;
  EXPECT_NE(w->err().find("with no item index (not written by `job push`) are acknowledged and skipped"),
            std::string::npos)
      << w->err();
  const std::string stream = redis.cli({"XRANGE", "serentak:foreign:items", "-", "+"});
  EXPECT_NE(stream.find("not-an-index"), std::string::npos) << "another program's entries are left in the stream";
  EXPECT_NE(stream.find("other"), std::string::npos) << "another program's entries are left in the stream";
}

// Workers run with --lease; status counts "past lease" against the same lease when given it.
TEST(job_queue, status_counts_items_past_the_lease_the_workers_were_given) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  const std::string job = redis.url("leased");
  // Two pushes: entries of two items and of one.
  ASSERT_EQ(run_job({"push", job, "--url", "http://127.0.0.1:9/p?id={}", "a", "b"}).exit_code, 0);
  ASSERT_EQ(run_job({"push", job, "--url", "http://127.0.0.1:9/p?id={}", "a", "b", "c"}).exit_code, 0);
  redis.cli({"XREADGROUP", "GROUP", "workers", "ghost", "COUNT", "1", "STREAMS", "serentak:leased:items", ">"});
  redis.cli({"XGROUP", "CREATECONSUMER", "serentak:leased:items", "workers", "idler"});  // holds nothing
  std::this_thread::sleep_for(700ms);
  // past lease, lease, and the workers' states by name
  auto past = [&](const std::vector<std::string>& extra) {
    std::vector<std::string> args{"status", job, "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = run_job(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    std::map<std::string, std::string> states;
    if (j.is_discarded()) return std::make_tuple(-1LL, -1LL, states);
    for (const auto& w : j["workers"]) states[w.value("name", "")] = w.value("state", "");
    return std::make_tuple(j.value("past_lease", -1LL), j.value("lease_ms", -1LL), states);
  };
  const std::map<std::string, std::string> silent{{"ghost", "unresponsive"}, {"idler", "gone"}};
  EXPECT_EQ(past({"--lease", "0.5"}), std::make_tuple(2LL, 500LL, silent));
  EXPECT_EQ(past({"--lease", "500ms"}), std::make_tuple(2LL, 500LL, silent));
  const auto [past_by_default, lease_by_default, states_by_default] = past({});
  EXPECT_EQ(past_by_default, 0);
  EXPECT_GT(lease_by_default, 2000);
  EXPECT_EQ(states_by_default, (std::map<std::string, std::string>{{"ghost", "active"}, {"idler", "active"}}));
  auto text = run_job({"status", job, "--lease", "0.5"});
  EXPECT_NE(text.out.find("past lease 2 (lease 0.5 s)"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("workers    0 active, 1 unresponsive, 1 gone\n"), std::string::npos) << text.out;
  EXPECT_TRUE(std::regex_search(text.out, std::regex("\n  ghost +records +0  in flight +2  unresponsive [0-9]+ s\n")))
      << text.out;
}

// A job an earlier serentak pushed (version 1: an entry per item, which its workers read) keeps that
// layout when this serentak pushes to it again, and this serentak's workers finish it.
TEST(job_queue, a_push_to_a_job_of_an_earlier_serentak_keeps_an_entry_per_item) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  testing::serve_process serve({"--quiet", "--delay-scale", "0"});
  const std::string job = redis.url("earlier");
  queue::job_spec earlier;
  earlier.version = 1;
  earlier.url_template = serve.base_url() + "/check_book_status?isbn={}";
  earlier.timeout = 30s;  // job push's default
  redis.cli({"HSET", "serentak:earlier:meta", "spec", earlier.to_json(), "digest", earlier.digest(), "pushed", "0",
             "created_ms", "1", "generation", "1", "instance", "1.000001"});
  redis.cli({"XGROUP", "CREATE", "serentak:earlier:items", "workers", "0", "MKSTREAM"});
  auto push = run_job({"push", job, "--url", earlier.url_template, "-i", testing::write_items(dir.path(), 40)});
  ASSERT_EQ(push.exit_code, 0) << push.err;
  EXPECT_EQ(redis.cli({"XLEN", "serentak:earlier:items"}), "40") << "an entry per item, as its workers read them";
  EXPECT_NE(redis.cli({"HGET", "serentak:earlier:meta", "spec"}).find(R"("version":1)"), std::string::npos);
  auto w = testing::start_worker(job, {"-c", "10"}, dir.path(), "w");
  ASSERT_EQ(w->wait(30s), 0) << w->err();
  auto c = testing::collect(job, dir.path());
  EXPECT_EQ(c.per_index.size(), 40U);

  // A new job under another name is version 2, 16 items an entry.
  const std::string fresh = redis.url("fresh");
  ASSERT_EQ(
      run_job({"push", fresh, "--url", earlier.url_template, "-i", testing::write_items(dir.path(), 40)}).exit_code, 0);
  EXPECT_EQ(redis.cli({"XLEN", "serentak:fresh:items"}), "3");
  EXPECT_NE(redis.cli({"HGET", "serentak:fresh:meta", "spec"}).find(R"("version":2)"), std::string::npos);
}

// Status counts items, not stream entries: a push's entry holds several items, and stays pending until
// its last item's record is stored; its items recorded already are done, not in flight.
TEST(job_queue, status_counts_items_in_flight_in_an_entry_of_several_without_those_recorded) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  const std::string job = redis.url("several");
  ASSERT_EQ(run_job({"push", job, "--url", "http://127.0.0.1:9/p?id={}", "a", "b", "c", "d", "e"}).exit_code, 0);
  ASSERT_EQ(run_job({"push", job, "--url", "http://127.0.0.1:9/p?id={}", "a", "b", "c", "d", "e", "f", "g"}).exit_code,
            0);
  redis.cli({"XREADGROUP", "GROUP", "workers", "ghost", "COUNT", "1", "STREAMS", "serentak:several:items", ">"});
  redis.cli(
      {"HSET", "serentak:several:records", "1", R"({"index":1,"outcome":"ok"})", "3", R"({"index":3,"outcome":"ok"})"});
  auto r = run_job({"status", job, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  EXPECT_EQ(j.value("in_flight", -1), 3) << r.out;
  EXPECT_EQ(j.value("waiting", -1), 2) << "f and g: " << r.out;
  ASSERT_EQ(j["workers"].size(), 1U) << r.out;
  EXPECT_EQ(j["workers"][0].value("in_flight", -1), 3) << r.out;
  EXPECT_EQ(j.value("past_lease", -1), 0) << r.out;
}

// An ACL user missing a command the worker or status needs: a clear refusal and exit 2, not a worker
// that never sees its job complete, nor a status that shows refused figures as 0.
TEST(job_queue, an_acl_that_refuses_a_needed_command_is_one_line_and_exit_2) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  const std::string port = std::to_string(redis.port());
  ASSERT_EQ(run_job({"push", redis.url("acl"), "--url", "http://127.0.0.1:9/p?id={}", "a", "b"}).exit_code, 0);
  // Runs `job COMMAND` as user:password and expects exit 2 and one line saying `says`, no password.
  auto expect_refused = [&](const std::string& command, const std::string& user, const std::string& says) {
    auto r = run_job({command, "redis://" + user + "@127.0.0.1:" + port + "/acl"}, 20s);
    EXPECT_EQ(r.exit_code, 2) << command << " as " << user << ": " << r.out << r.err;
    EXPECT_NE(r.err.find(says), std::string::npos) << command << " as " << user << ": " << r.err;
    EXPECT_EQ(line_count(r.err), 1U) << r.err;
    EXPECT_EQ((r.out + r.err).find("Pw1"), std::string::npos) << "the password must never be shown";
    return r;
  };
  redis.cli({"ACL", "SETUSER", "nohlen", "on", ">Nohlen-Pw1", "~serentak:*", "+@all", "-hlen"});
  redis.cli({"ACL", "SETUSER", "noxpending", "on", ">Noxp-Pw1", "~serentak:*", "+@all", "-xpending"});
  expect_refused("work", "nohlen:Nohlen-Pw1", "refused HLEN, which a worker needs to see its job complete: NOPERM");

  // Users without the scripts (read-only; scripts taken away): the worker cannot reclaim or store a
  // record, and worked on for ever, saying NOPERM once (one fetched every item and stored nothing).
  redis.cli({"ACL", "SETUSER", "readonly", "on", ">Ro-Pw1", "~*", "+@read", "+auth", "+hello", "+ping", "+info"});
  redis.cli({"ACL", "SETUSER", "noscript", "on", ">Ns-Pw1", "~*", "+@all", "-evalsha", "-eval", "-script"});
  for (const std::string user : {"readonly:Ro-Pw1", "noscript:Ns-Pw1"})
    expect_refused("work", user, "refused the reclaim script, which a worker needs: NOPERM");

  // Reads refused (no XREADGROUP): one line and exit 2 when nothing is left to fetch, not a worker
  // polling a stream it may not read for ever.
  redis.cli({"ACL", "SETUSER", "noread", "on", ">Nr-Pw1", "~*", "+@all", "-xreadgroup"});
  expect_refused("work", "noread:Nr-Pw1", "refused XREADGROUP, which a worker needs to take items: NOPERM");
  EXPECT_EQ(redis.cli({"HLEN", "serentak:acl:records"}), "0");

  // Scripts allowed, a command inside the record script not: fetched, refused when storing, exit 2.
  redis.cli({"ACL", "SETUSER", "nohset", "on", ">Nh-Pw1", "~*", "+@all", "-hset"});
  expect_refused("work", "nohset:Nh-Pw1",
                 "refused the record script, which a worker needs: ERR The user executing the script");

  for (const std::string user : {"nohlen:Nohlen-Pw1", "noxpending:Noxp-Pw1"}) {
    auto status = expect_refused("status", user, "(job status needs it): NOPERM");
    EXPECT_EQ(status.out, "") << "no figures from a refused read";
  }
}

// Items a worker reclaimed are its own (a delivery counted, the lease restarted): when the read that
// follows in the same round fails, they must still be fetched. They were dropped, so each sat a lease,
// was reclaimed again, and was dead-lettered without ever being fetched. (An ACL refusing XREADGROUP
// makes that read fail every round.)
TEST(job_queue, items_reclaimed_in_a_round_whose_read_fails_are_still_fetched) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  const std::string port = std::to_string(redis.port());
  const std::string job = redis.url("reclaimed");
  // Three pushes, each adding one item: entries of one item, which a reclaim hands to the worker (one of
  // several items would be split into new entries, for a read).
  for (const std::vector<std::string>& items : {std::vector<std::string>{"a"}, {"a", "b"}, {"a", "b", "c"}}) {
    std::vector<std::string> push{"push", job, "--url", "http://127.0.0.1:9/p?id={}"};
    push.insert(push.end(), items.begin(), items.end());
    ASSERT_EQ(run_job(push).exit_code, 0);
  }
  redis.cli({"XREADGROUP", "GROUP", "workers", "ghost", "COUNT", "3", "STREAMS", "serentak:reclaimed:items", ">"});
  redis.cli({"ACL", "SETUSER", "noread", "on", ">Noread-Pw1", "~serentak:*", "+@all", "-xreadgroup"});
  std::this_thread::sleep_for(1100ms);
  auto w = testing::start_worker("redis://noread:Noread-Pw1@127.0.0.1:" + port + "/reclaimed",
                                 {"--lease", "1", "--max-deliveries", "2"}, dir.path(), "w");
  auto done = w->wait(30s);
  ASSERT_TRUE(done.has_value()) << w->err();
  EXPECT_EQ(*done, 0) << w->err();
  EXPECT_EQ(w->err().find("XREADGROUP"), std::string::npos)
      << "its job complete, the refused read cost nothing: " << w->err();
  auto c = testing::collect(job, dir.path());
  EXPECT_EQ(c.per_index.size(), 3U);
  EXPECT_TRUE(c.dead_errors.empty()) << "reclaimed items were dead-lettered without being fetched";
  EXPECT_EQ(c.per_outcome["connection_error"], 3U);
}

// Redis answers BUSY while another client's slow script runs past busy-reply-threshold: it passes, and
// a worker must wait it out, not take it for a refusal and leave the job.
TEST(job_queue, a_worker_waits_out_redis_busy_with_another_clients_script) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path(), {"--busy-reply-threshold", "100"});
  testing::serve_process serve({"--quiet", "--delay-scale", "0"});
  const std::string job = redis.url("busy");
  ASSERT_EQ(run_job({"push", job, "--url", serve.base_url() + "/check_book_status?isbn={}", "-i",
                     testing::write_items(dir.path(), 20), "--rate", "8"})
                .exit_code,
            0);
  auto w = testing::start_worker(job, {"-c", "5"}, dir.path(), "w");
  ASSERT_TRUE(testing::wait_for_records(redis, "busy", 2, 10s)) << w->err();
  EXPECT_EQ(redis.cli({"EVAL",
                       "local s = redis.call('TIME') local t0 = s[1] * 1000000 + s[2] "
                       "while true do local n = redis.call('TIME') "
                       "if n[1] * 1000000 + n[2] - t0 > 1500000 then break end end return 1",
                       "0"}),
            "1");
  auto done = w->wait(30s);
  ASSERT_TRUE(done.has_value()) << w->err();
  EXPECT_EQ(*done, 0) << w->err();
  EXPECT_EQ(redis.cli({"HLEN", "serentak:busy:records"}), "20");
  auto status = run_job({"status", job});
  EXPECT_EQ(status.exit_code, 0) << status.err;
}

TEST(job_queue, collect_survives_record_fields_that_are_not_the_jobs_indexes) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  testing::serve_process serve({"--quiet", "--delay-scale", "0"});
  const std::string job = redis.url("odd");
  ASSERT_EQ(run_job({"push", job, "--url", serve.base_url() + "/check_book_status?isbn={}", "-i",
                     testing::write_items(dir.path(), 20)})
                .exit_code,
            0);
  auto w = testing::start_worker(job, {"-c", "5"}, dir.path(), "w");
  auto done = w->wait(30s);
  ASSERT_TRUE(done.has_value()) << w->err();
  ASSERT_EQ(*done, 0) << w->err();
  redis.cli({"HSET", "serentak:odd:records", "9223372036854775807", R"({"index":1})", "not-an-index", "{}", "", "{}"});
  auto out = dir.path() / "odd.jsonl";
  auto c = run_job({"collect", job, "-o", out.string()});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  std::map<std::size_t, int> per_index;
  std::ifstream in(out);
  for (std::string line; std::getline(in, line);)
    ++per_index[nlohmann::json::parse(line).at("index").get<std::size_t>()];
  EXPECT_EQ(per_index.size(), 20U) << "nothing but the 20 items' records";
  for (std::size_t i = 0; i < 20; ++i) EXPECT_EQ(per_index[i], 1) << "index " << i;

  // --resume reads the file it appends to: one that never ends (/dev/full reads as zeros) is refused.
  auto endless = run_job({"collect", job, "--resume", "-o", "/dev/full", "--format", "csv"});
  EXPECT_EQ(endless.exit_code, 2) << endless.err;
  EXPECT_NE(endless.err.find("is not a regular file"), std::string::npos) << endless.err;
  EXPECT_EQ(line_count(endless.err), 1U) << endless.err;
  // An output that cannot be written is exit 3, as for every command (a disk full, here /dev/full).
  auto full = run_job({"collect", job, "-o", "/dev/full", "--format", "jsonl"});
  EXPECT_EQ(full.exit_code, 3) << full.err;
  EXPECT_NE(full.err.find("writing '/dev/full' failed: No space left on device"), std::string::npos) << full.err;
  EXPECT_EQ(line_count(full.err), 1U) << full.err;
}

// A collect before the job is done is a partial file: it says how many items have no record yet. A
// finished job's status has no rate (records over the time since creation would fall on forever).
TEST(job_queue, collect_of_an_unfinished_job_says_what_is_missing_and_a_finished_job_shows_no_rate) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  testing::serve_process serve({"--quiet", "--delay-scale", "0"});
  const std::string job = redis.url("partial");
  ASSERT_EQ(run_job({"push", job, "--url", serve.base_url() + "/check_book_status?isbn={}", "-i",
                     testing::write_items(dir.path(), 10)})
                .exit_code,
            0);
  auto none = run_job({"collect", job, "-o", (dir.path() / "early.jsonl").string()});
  ASSERT_EQ(none.exit_code, 0) << none.err;
  EXPECT_NE(none.out.find("0 records written"), std::string::npos) << none.out;
  EXPECT_NE(none.out.find("10 of 10 items have no record yet"), std::string::npos) << none.out;
  auto w = testing::start_worker(job, {"-c", "5"}, dir.path(), "w");
  ASSERT_EQ(w->wait(30s), 0) << w->err();
  auto all = run_job({"collect", job, "-o", (dir.path() / "all.jsonl").string()});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_NE(all.out.find("10 records written"), std::string::npos) << all.out;
  EXPECT_EQ(all.out.find("no record yet"), std::string::npos) << all.out;
  auto status = run_job({"status", job, "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_TRUE(nlohmann::json::parse(status.out)["rate_per_second"].is_null()) << status.out;
}

TEST(job_queue, a_worker_whose_job_is_deleted_under_it_exits_2_with_one_line) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  testing::serve_process serve({"--quiet", "--delay-scale", "0", "--fault", "books:hang"});
  const std::string job = redis.url("vanishing");
  ASSERT_EQ(run_job({"push", job, "--url", serve.base_url() + "/check_book_status?isbn={}", "a", "b", "--timeout", "1"})
                .exit_code,
            0);
  auto w = testing::start_worker(job, {"-c", "2", "--lease", "60"}, dir.path(), "w");
  ASSERT_TRUE(w->wait_until_watching(10s));
  ASSERT_EQ(run_job({"delete", job}).exit_code, 0);
  auto status = w->wait(20s);
  ASSERT_TRUE(status.has_value()) << "a worker must not wait forever for a job that is gone";
  EXPECT_EQ(*status, 2) << w->err();
  EXPECT_NE(w->err().find("job 'vanishing' is gone"), std::string::npos) << w->err();
  EXPECT_EQ(line_count(w->err()), 1U) << w->err();
  EXPECT_EQ(redis.cli({"EXISTS", "serentak:vanishing:records"}), "0") << "its late records must not recreate the job";
}

// `job delete` then `job push` under the same name while a worker of the first job is mid-run: the
// new job is another job, whose index 5 is another item. The old worker stores none of its records
// there, fetches none of its items with the old specification, hands back at once what it read from
// the new stream, and exits 2.
TEST(job_queue, a_job_deleted_and_pushed_again_under_a_running_worker_gets_none_of_its_records) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  // Books (the old job) take 200-800 ms; the access log names each item fetched by either route.
  testing::serve_process serve({"--delay-scale", "2"});
  const std::string job = redis.url("again");
  ASSERT_EQ(run_job({"push", job, "--url", serve.base_url() + "/check_book_status?isbn={}", "-i",
                     testing::write_items(dir.path(), 200, "old")})
                .exit_code,
            0);
  auto old_worker = testing::start_worker(job, {"-c", "10", "--lease", "60"}, dir.path(), "old");
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::stoul("0" + redis.cli({"HLEN", "serentak:again:records"})) < 5 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(50ms);
  ASSERT_GE(std::stoul("0" + redis.cli({"HLEN", "serentak:again:records"})), 5U);
  ASSERT_EQ(run_job({"delete", job}).exit_code, 0);
  ASSERT_EQ(run_job({"push", job, "--url", serve.base_url() + "/get_user_profile?user_id={}", "-i",
                     testing::write_items(dir.path(), 40, "new")})
                .exit_code,
            0);

  auto status = old_worker->wait(20s);
  ASSERT_TRUE(status.has_value()) << "the old job's worker must notice its job is gone";
  EXPECT_EQ(*status, 2) << old_worker->err();
  EXPECT_NE(old_worker->err().find("job 'again' is gone"), std::string::npos) << old_worker->err();
  EXPECT_EQ(line_count(old_worker->err()), 1U) << old_worker->err();
  // Whatever it read from the new stream it handed back: idle for years, for the next worker to take.
  std::string pending = redis.cli({"XPENDING", "serentak:again:items", "workers", "-", "+", "100"});
  std::istringstream fields(pending);
  for (std::string id, consumer, idle, deliveries; fields >> id >> consumer >> idle >> deliveries;)
    EXPECT_GT(std::stoll(idle), 10'000'000'000LL) << pending;

  auto new_worker = testing::start_worker(job, {"-c", "20", "--lease", "600"}, dir.path(), "new");
  ASSERT_EQ(new_worker->wait(60s), 0) << new_worker->err();
  auto c = testing::collect(job, dir.path());
  EXPECT_EQ(c.lines, 40U);
  EXPECT_EQ(c.per_index.size(), 40U);
  std::ifstream collected(dir.path() / "collected.jsonl");
  std::size_t checked = 0;
  for (std::string line; std::getline(collected, line);) {
    auto record = nlohmann::json::parse(line, nullptr, false);
    if (record.is_discarded() || !record.contains("index")) continue;
    EXPECT_EQ(record["item"].get<std::string>(), "new" + std::to_string(record["index"].get<std::size_t>())) << line;
    EXPECT_NE(record["url"].get<std::string>().find("/get_user_profile?"), std::string::npos) << line;
    ++checked;
  }
  EXPECT_EQ(checked, 40U);
  for (const auto& line : serve.lines())
    EXPECT_EQ(line.text.find("ISBN new"), std::string::npos)
        << "a new item fetched with the old job's URL: " << line.text;
}

// Containers on one host's network share its hostname and each may run its worker as PID 1: two
// such workers are still two consumers (job status lists both), not one name whose entries each
// could take for its own. unshare(1) gives each worker a PID namespace of its own, where it is 1.
TEST(job_queue, two_workers_that_are_each_pid_1_on_one_host_are_two_consumers) {
  if (testing::run_process({"/usr/bin/unshare", "--pid", "--fork", "--kill-child", "/bin/true"}, 10s).exit_code != 0)
    GTEST_SKIP() << "unshare --pid is not permitted here (it needs CAP_SYS_ADMIN)";
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  testing::serve_process serve({"--quiet", "--delay-scale", "1"});  // books: 100-400 ms
  const std::string job = redis.url("pid1");
  ASSERT_EQ(run_job({"push", job, "--url", serve.base_url() + "/check_book_status?isbn={}", "-i",
                     testing::write_items(dir.path(), 120)})
                .exit_code,
            0);
  std::vector<std::unique_ptr<testing::child_process>> workers;
  for (const char* name : {"a", "b"}) {
    workers.push_back(std::make_unique<testing::child_process>(
        std::vector<std::string>{"/usr/bin/unshare", "--pid", "--fork", "--kill-child", testing::binary_path().string(),
                                 "job", "work", job, "-c", "10"},
        dir.path() / name));
  }
  for (auto& w : workers) ASSERT_EQ(w->wait(60s), 0) << w->err();
  auto status = nlohmann::json::parse(run_job({"status", job, "--json"}).out);
  ASSERT_EQ(status["workers"].size(), 2U) << status.dump();
  std::size_t records = 0;
  for (const auto& w : status["workers"]) {
    const std::string name = w["name"].get<std::string>();
    EXPECT_NE(name.find(":1:"), std::string::npos) << name << ": each worker is PID 1 in its namespace";
    EXPECT_GT(w["records"].get<std::size_t>(), 0U) << name;
    records += w["records"].get<std::size_t>();
  }
  EXPECT_EQ(records, 120U);
  EXPECT_NE(status["workers"][0]["name"], status["workers"][1]["name"]);
}

// A Redis with a memory limit and an allkeys-* policy may evict a job's items and records without an
// error: push and work say so, once, and go on. volatile-* evicts only keys with a TTL (of a job's,
// only the pause keys, which expire anyway): no warning.
TEST(job_queue, push_and_work_warn_when_redis_may_evict_the_jobs_keys) {
  testing::scratch_dir dir;
  testing::serve_process serve({"--quiet", "--delay-scale", "0"});
  const std::string url = serve.base_url() + "/check_book_status?isbn={}";
  const std::string warning = "maxmemory-policy allkeys-lru: under memory pressure it may evict this job's items";
  std::filesystem::create_directories(dir.path() / "allkeys");
  std::filesystem::create_directories(dir.path() / "volatile");
  {
    // CONFIG renamed away, as managed services do: the policy is read from INFO.
    testing::redis_server redis(dir.path() / "allkeys", {"--maxmemory", "1gb", "--maxmemory-policy", "allkeys-lru",
                                                         "--rename-command", "CONFIG", ""});
    const std::string job = redis.url("evictable");
    auto push = run_job({"push", job, "--url", url, "a", "b"});
    ASSERT_EQ(push.exit_code, 0) << push.err;
    EXPECT_NE(push.err.find(warning), std::string::npos) << push.err;
    EXPECT_EQ(line_count(push.err), 1U) << push.err;
    auto work = run_job({"work", job, "-c", "2"});
    ASSERT_EQ(work.exit_code, 0) << work.err;
    EXPECT_NE(work.err.find(warning), std::string::npos) << work.err;
    EXPECT_EQ(line_count(work.err), 1U) << work.err;
  }
  testing::redis_server redis(dir.path() / "volatile", {"--maxmemory", "1gb", "--maxmemory-policy", "volatile-lru"});
  auto push = run_job({"push", redis.url("kept"), "--url", url, "a", "b"});
  ASSERT_EQ(push.exit_code, 0) << push.err;
  EXPECT_EQ(push.err, "");
  auto work = run_job({"work", redis.url("kept"), "-c", "2"});
  ASSERT_EQ(work.exit_code, 0) << work.err;
  EXPECT_EQ(work.err, "");
}

}  // namespace
}  // namespace serentak
