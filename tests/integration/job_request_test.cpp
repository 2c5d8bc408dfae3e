// Issue 18.1: `job push` stores the request's shape (-X, -H, --header-file, --json, -A) and a
// bearer token or secret headers only by reference (--bearer-env VAR, --header-env 'Name: VAR'): a
// real `serentak job work` sends them to a scripted server, reading the values from its own
// environment, and nothing in Redis (keys or the append-only file) holds them.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/child_process.hpp"
#include "support/job_harness.hpp"
#include "support/redis_server.hpp"
#include "support/scripted_http_server.hpp"
#include "support/test_paths.hpp"

namespace serentak {
namespace {

using namespace std::chrono_literals;
using testing::run_job;

constexpr const char* secret_token = "tok-Very-Secret-42";

std::vector<std::string> nonempty_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

// Every value Redis holds, whatever its type, as redis-cli prints it.
std::string everything_in(const testing::redis_server& redis) {
  std::string all;
  for (const std::string& key : nonempty_lines(redis.cli({"--scan"}))) {
    const std::string type = redis.cli({"TYPE", key});
    all += key + "\n";
    if (type == "hash") all += redis.cli({"HGETALL", key});
    if (type == "stream") all += redis.cli({"XRANGE", key, "-", "+"});
    if (type == "string") all += redis.cli({"GET", key});
    if (type == "zset") all += redis.cli({"ZRANGE", key, "0", "-1"});
    all += "\n";
  }
  return all;
}

std::string files_under(const std::filesystem::path& dir) {
  std::string all;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return all;
}

std::unique_ptr<testing::child_process> worker_with_env(const std::string& job, const std::vector<std::string>& env,
                                                        const std::filesystem::path& dir, const std::string& name) {
  std::vector<std::string> argv{"/usr/bin/env"};
  argv.insert(argv.end(), env.begin(), env.end());
  argv.insert(argv.end(), {testing::binary_path().string(), "job", "work", job, "-c", "2"});
  return std::make_unique<testing::child_process>(argv, dir / name);
}

TEST(job_request, a_worker_sends_the_jobs_method_headers_and_body_and_redis_never_holds_the_token) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  testing::scripted_http_server server(
      [](const testing::scripted_request&) { return testing::scripted_reply::respond(200, "{}"); });
  const auto header_file = dir.path() / "headers.txt";
  std::ofstream(header_file) << "# trace each item\nX-Trace: item-{}\r\n\nAccept-Language: id\n";
  const std::string job = redis.url("shaped");
  auto push = run_job({"push", job, "--url", server.url("/orders?id={}"), "-X", "PUT", "-H", "X-Team: analysts",
                       "--header-file", header_file.string(), "--json", R"({"id":"{}"})", "-A", "analyst-bot/1",
                       "--bearer-env", "SERENTAK_TEST_TOKEN", "a1", "b2"});
  ASSERT_EQ(push.exit_code, 0) << push.err;

  // Without the variable a worker refuses the job in one line, naming the variable, not a value.
  auto unset = worker_with_env(job, {}, dir.path(), "unset");
  ASSERT_EQ(unset->wait(30s), 2) << unset->err();
  EXPECT_NE(unset->err().find("'SERENTAK_TEST_TOKEN'"), std::string::npos) << unset->err();
  // A token holding "{}" would have each item put into it (header values are templates): refused.
  auto templated = worker_with_env(job, {"SERENTAK_TEST_TOKEN=tok-Very-Secret-{}"}, dir.path(), "templated");
  ASSERT_EQ(templated->wait(30s), 2) << templated->err();
  EXPECT_NE(templated->err().find("'SERENTAK_TEST_TOKEN' (for the bearer token) contains {}"), std::string::npos)
      << templated->err();
  EXPECT_EQ(templated->err().find("Very-Secret"), std::string::npos) << templated->err();
  EXPECT_EQ(server.requests_seen(), 0U);

  auto worker = worker_with_env(job, {std::string("SERENTAK_TEST_TOKEN=") + secret_token}, dir.path(), "w");
  ASSERT_EQ(worker->wait(30s), 0) << worker->err();
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2U);
  for (const testing::scripted_request& r : requests) {
    const std::string item = r.target == "/orders?id=a1" ? "a1" : "b2";
    EXPECT_EQ(r.target, "/orders?id=" + item);
    EXPECT_EQ(r.method, "PUT");
    EXPECT_EQ(r.header("X-Team"), "analysts");
    EXPECT_EQ(r.header("X-Trace"), "item-" + item);
    EXPECT_EQ(r.header("Accept-Language"), "id");
    EXPECT_EQ(r.header("User-Agent"), "analyst-bot/1");
    EXPECT_EQ(r.header("Authorization"), std::string("Bearer ") + secret_token);
    EXPECT_EQ(r.header("Content-Type"), "application/json");
    EXPECT_EQ(r.body, R"({"id":")" + item + R"("})");
  }
  EXPECT_EQ(worker->out().find(secret_token), std::string::npos);
  EXPECT_EQ(worker->err().find(secret_token), std::string::npos);

  const std::string stored = everything_in(redis);
  EXPECT_NE(stored.find("SERENTAK_TEST_TOKEN"), std::string::npos) << "the spec names the variable: " << stored;
  EXPECT_NE(stored.find("X-Team"), std::string::npos) << stored;
  EXPECT_EQ(stored.find(secret_token), std::string::npos) << "the token is in Redis";
  EXPECT_EQ(files_under(dir.path()).find(secret_token), std::string::npos) << "the token is in Redis's files";
}

// An API key and a cookie by reference: the job stores the header and variable names (as a version-3
// specification, which a serentak from before --header-env refuses rather than send requests without
// them); each worker sends the values from its own environment; Redis never holds them.
TEST(job_request, headers_from_the_environment_are_sent_by_each_worker_and_only_their_names_are_stored) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  testing::scripted_http_server server(
      [](const testing::scripted_request&) { return testing::scripted_reply::respond(200, "{}"); });
  const std::string job = redis.url("keyed");
  const std::vector<std::string> push{"push",         job,
                                      "--url",        server.url("/profile?id={}"),
                                      "--header-env", "X-Api-Key: SERENTAK_TEST_KEY",
                                      "--header-env", "Cookie: SERENTAK_TEST_COOKIE",
                                      "a1",           "b2"};
  auto pushed = run_job(push);
  ASSERT_EQ(pushed.exit_code, 0) << pushed.err;
  EXPECT_EQ(run_job(push).exit_code, 0) << "the same job pushed again";
  auto without = run_job({"push", job, "--url", server.url("/profile?id={}"), "a1", "b2"});
  EXPECT_EQ(without.exit_code, 2) << without.err;
  EXPECT_NE(without.err.find("header_env"), std::string::npos) << without.err;

  // A worker without one of the variables refuses the job in one line, naming it.
  auto unset = worker_with_env(job, {"SERENTAK_TEST_KEY=key-Very-Secret-7"}, dir.path(), "unset");
  ASSERT_EQ(unset->wait(30s), 2) << unset->err();
  const std::string refused = unset->err();
  EXPECT_NE(refused.find("'SERENTAK_TEST_COOKIE' (for header 'Cookie') is not set or is empty here"), std::string::npos)
      << refused;
  EXPECT_EQ(std::count(refused.begin(), refused.end(), '\n'), 1) << refused;
  EXPECT_EQ(refused.find("Very-Secret"), std::string::npos) << refused;
  EXPECT_EQ(server.requests_seen(), 0U);

  auto worker = worker_with_env(job, {"SERENTAK_TEST_KEY=key-Very-Secret-7", "SERENTAK_TEST_COOKIE=sid=Very-Secret-8"},
                                dir.path(), "w");
  ASSERT_EQ(worker->wait(30s), 0) << worker->err();
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2U);
  for (const testing::scripted_request& r : requests) {
    EXPECT_EQ(r.header("X-Api-Key"), "key-Very-Secret-7") << r.target;
    EXPECT_EQ(r.header("Cookie"), "sid=Very-Secret-8") << r.target;
  }
  EXPECT_EQ((worker->out() + worker->err()).find("Very-Secret"), std::string::npos);

  const std::string spec = redis.cli({"HGET", "serentak:keyed:meta", "spec"});
  EXPECT_NE(spec.find(R"("header_env":[["X-Api-Key","SERENTAK_TEST_KEY"],["Cookie","SERENTAK_TEST_COOKIE"]])"),
            std::string::npos)
      << spec;
  EXPECT_NE(spec.find(R"("version":3)"), std::string::npos) << spec;
  const std::string stored = everything_in(redis);
  EXPECT_EQ(stored.find("Very-Secret"), std::string::npos) << "a value is in Redis: " << stored;
  EXPECT_EQ(files_under(dir.path()).find("Very-Secret"), std::string::npos) << "a value is in Redis's files";

  // Refused at push, one line, nothing stored: a malformed option, or two Authorizations.
  for (const std::vector<std::string>& bad :
       {std::vector<std::string>{"--header-env", "X-Api-Key"},
        {"--header-env", "X-Api-Key: 2FAST"},
        {"--header-env", "Content-Length: SERENTAK_TEST_KEY"},
        {"--header-env", "Authorization: SERENTAK_TEST_KEY", "--bearer-env", "SERENTAK_TEST_TOKEN"}}) {
    std::vector<std::string> args{"push", redis.url("refused"), "--url", "http://127.0.0.1:9/{}"};
    args.insert(args.end(), bad.begin(), bad.end());
    args.push_back("x");
    auto r = run_job(args);
    EXPECT_EQ(r.exit_code, 2) << bad[1] << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  EXPECT_EQ(redis.cli({"EXISTS", "serentak:refused:meta"}), "0");
}

TEST(job_request, a_secret_header_given_to_push_is_refused_in_one_line_and_stores_nothing) {
  testing::scratch_dir dir;
  testing::redis_server redis(dir.path());
  const std::string job = redis.url("leaky");
  auto header = run_job({"push", job, "--url", "http://127.0.0.1:9/{}", "-H", "Authorization: Bearer abc-Secret", "x"});
  EXPECT_EQ(header.exit_code, 2);
  EXPECT_NE(header.err.find("--header-env 'Authorization: VAR'"), std::string::npos) << header.err;
  EXPECT_EQ(header.err.find("abc-Secret"), std::string::npos) << header.err;
  EXPECT_EQ(std::count(header.err.begin(), header.err.end(), '\n'), 1) << header.err;

  const auto file = dir.path() / "cookies.txt";
  std::ofstream(file) << "Cookie: session=abc-Secret\n";
  auto from_file = run_job({"push", job, "--url", "http://127.0.0.1:9/{}", "--header-file", file.string(), "x"});
  EXPECT_EQ(from_file.exit_code, 2) << from_file.err;
  EXPECT_EQ(from_file.err.find("abc-Secret"), std::string::npos) << from_file.err;

  auto bad_name = run_job({"push", job, "--url", "http://127.0.0.1:9/{}", "--bearer-env", "NOT A NAME", "x"});
  EXPECT_EQ(bad_name.exit_code, 2) << bad_name.err;
  auto adaptive_alone = run_job({"push", job, "--url", "http://127.0.0.1:9/{}", "--adaptive", "x"});
  EXPECT_EQ(adaptive_alone.exit_code, 2) << adaptive_alone.err;
  EXPECT_NE(adaptive_alone.err.find("--adaptive needs --host-rate"), std::string::npos) << adaptive_alone.err;
  // An item that would end a header line it goes into (header injection) is refused before
  // anything is stored.
  const auto items = dir.path() / "items.txt";
  std::ofstream(items, std::ios::binary) << "fine\nbad\rX-Injected: 1\n";
  auto injected = run_job({"push", job, "--url", "http://127.0.0.1:9/{}", "-H", "X-Trace: {}", "-i", items.string()});
  EXPECT_EQ(injected.exit_code, 2) << injected.err;
  EXPECT_NE(injected.err.find("into the header 'X-Trace'"), std::string::npos) << injected.err;
  EXPECT_EQ(redis.cli({"EXISTS", "serentak:leaky:meta"}), "0");
}

}  // namespace
}  // namespace serentak
