#include "queue/job_spec.hpp"

#include <gtest/gtest.h>

#include "client/engine/host_gate.hpp"
#include "queue/shared_host_rate.hpp"

namespace serentak {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

// A job an earlier serentak pushed (an entry per item in its stream) keeps its text and digest, so a push
// of the same job goes on with it; a new job is version 2 (entries of several items), which an earlier
// serentak refuses rather than read one item of each entry.
TEST(job_spec, a_version_1_spec_keeps_its_text_and_digest_and_a_new_one_is_version_2) {
  const std::string v1 = R"({"connect_timeout_ms":0,"follow":false,"max_body_bytes":8388608,"rate_per_second":null,)"
                         R"("retries":0,"timeout_ms":5000,"url":"http://h/{}","urls":false,"version":1})";
  std::string problem;
  auto old = queue::parse_job_spec(v1, problem);
  ASSERT_TRUE(old.has_value()) << problem;
  EXPECT_EQ(old->version, 1);
  EXPECT_EQ(old->to_json(), v1);
  queue::job_spec spec;
  spec.url_template = "http://h/{}";
  EXPECT_EQ(spec.version, 2);
  EXPECT_TRUE(spec.to_json().ends_with(R"(,"version":2})")) << spec.to_json();
  EXPECT_EQ(queue::first_difference(*old, spec), "") << "the layout is the job's, not a difference";
  EXPECT_FALSE(queue::parse_job_spec(R"({"url":"http://h/{}","version":3})", problem).has_value());
}

TEST(job_spec, the_request_shape_host_rate_and_bearer_variable_name_round_trip) {
  queue::job_spec spec;
  spec.url_template = "http://h/{}";
  spec.host_rate_per_second = 60;
  spec.adaptive = true;
  spec.method = "PUT";
  spec.headers = {{"X-Team", "analysts"}, {"X-Trace", "{}"}};
  spec.body = R"({"id":"{}"})";
  spec.json_body = true;
  spec.user_agent = "";
  spec.bearer_env = "API_TOKEN";
  std::string problem;
  auto back = queue::parse_job_spec(spec.to_json(), problem);
  ASSERT_TRUE(back.has_value()) << problem;
  EXPECT_EQ(back->to_json(), spec.to_json());
  EXPECT_EQ(back->headers, spec.headers);
  EXPECT_EQ(back->user_agent, std::optional<std::string>(""));
  EXPECT_EQ(back->bearer_env, "API_TOKEN");
  EXPECT_NE(back->digest(), queue::job_spec{}.digest());
}

// Headers from the environment make a version-3 specification: a serentak from before them accepted
// versions 1 and 2 only, so it refuses the job instead of sending its requests without those headers.
// Version 3 is that and only that: without header_env it is not a specification, nor is header_env in 2.
TEST(job_spec, headers_from_the_environment_round_trip_in_a_version_3_spec_only) {
  queue::job_spec spec;
  spec.url_template = "http://h/{}";
  spec.header_env = {{"X-Api-Key", "API_KEY"}, {"Cookie", "SESSION"}};
  spec.version = 3;
  std::string problem;
  auto back = queue::parse_job_spec(spec.to_json(), problem);
  ASSERT_TRUE(back.has_value()) << problem;
  EXPECT_EQ(back->header_env, spec.header_env);
  EXPECT_EQ(back->version, 3);
  EXPECT_EQ(back->to_json(), spec.to_json());
  EXPECT_TRUE(queue::request_spec_of(*back).headers.empty()) << "the worker adds them from its own environment";

  queue::job_spec plain;
  plain.url_template = "http://h/{}";
  EXPECT_EQ(queue::first_difference(plain, spec).rfind("header_env is not set in the job", 0), 0U)
      << queue::first_difference(plain, spec);
  spec.version = 2;
  EXPECT_FALSE(queue::parse_job_spec(spec.to_json(), problem).has_value()) << "header_env in a version-2 spec";
  plain.version = 3;
  EXPECT_FALSE(queue::parse_job_spec(plain.to_json(), problem).has_value()) << "version 3 without header_env";
}

TEST(job_spec, adaptive_without_a_host_rate_is_not_a_spec) {
  std::string problem;
  EXPECT_FALSE(queue::parse_job_spec(
                   R"({"connect_timeout_ms":0,"follow":false,"max_body_bytes":1,"rate_per_second":null,"retries":0,)"
                   R"("timeout_ms":5000,"url":"http://h/{}","urls":false,"version":1,"adaptive":true})",
                   problem)
                   .has_value());
}

// A push refused for another specification names the first field that differs, but never shows
// what may be a credential: header values, a body, a token in the URL's query.
TEST(job_spec, the_difference_named_for_a_refused_push_shows_no_secret) {
  queue::job_spec stored;
  stored.url_template = "http://h/p?id={}&token=JOBSECRET";
  queue::job_spec pushed = stored;
  pushed.url_template = "http://h/q?id={}&token=PUSHSECRET";
  std::string d = queue::first_difference(stored, pushed);
  EXPECT_EQ(d.find("SECRET"), std::string::npos) << d;
  EXPECT_NE(d.find("http://h/q?id={}&token=***"), std::string::npos) << d;

  pushed = stored;
  pushed.headers = {{"X-Auth-Token", "SECRETTOK"}};
  d = queue::first_difference(stored, pushed);
  EXPECT_EQ(d, "headers is not set in the job, [\"X-Auth-Token\"] (values not shown) in this push");
  stored.headers = {{"X-Auth-Token", "OLDTOK"}};
  d = queue::first_difference(stored, pushed);
  EXPECT_EQ(d, "headers: this push's differs from the job's (not shown: it may hold a secret)");

  stored.headers = pushed.headers;
  stored.body = "password=OLD";
  pushed.body = "password=SECRET";
  d = queue::first_difference(stored, pushed);
  EXPECT_EQ(d, "body: this push's differs from the job's (not shown: it may hold a secret)");
  pushed.body.reset();
  EXPECT_EQ(queue::first_difference(stored, pushed), "body is set (not shown) in the job, not set in this push");
  pushed.body = stored.body;
  pushed.retries = 3;
  EXPECT_EQ(queue::first_difference(stored, pushed), "retries is 0 in the job, 3 in this push");
}

TEST(lease_plan, a_lease_is_a_tenth_of_a_second_of_the_rate_at_least_one_token) {
  EXPECT_EQ(queue::plan_lease(60).batch, 6);
  EXPECT_EQ(queue::plan_lease(60).burst, 12);
  EXPECT_EQ(queue::plan_lease(1000).batch, 100);
  EXPECT_EQ(queue::plan_lease(5).batch, 1);
  EXPECT_EQ(queue::plan_lease(0.5).batch, 1);
  EXPECT_EQ(queue::plan_lease(0.5).burst, 2);
  EXPECT_EQ(queue::plan_lease(60).valid, 100ms);
}

// A shared source that refuses until told otherwise and records what host_gate tells it.
class scripted_source final : public client::host_rate_source {
 public:
  bool allow = false;
  int finished = 0;
  long last_status = 0;
  bool try_take(const std::string&, clock::time_point, clock::duration& wait) override {
    wait = 5ms;
    return allow;
  }
  void finish(const std::string&, clock::time_point, long http_status,
              std::optional<std::chrono::milliseconds>) override {
    ++finished;
    last_status = http_status;
  }
};

TEST(host_gate, a_shared_refusal_leaves_no_attempt_counted_in_flight) {
  scripted_source shared;
  host_limits limits;
  limits.max_in_flight = 1;
  client::host_gate gate(limits, &shared);
  const auto now = clock_type::now();
  clock_type::duration wait{};
  EXPECT_FALSE(gate.try_start("http://h:80", now, wait));
  EXPECT_EQ(wait, 5ms) << "the shared source's wait";
  EXPECT_FALSE(gate.try_start("http://h:80", now, wait));
  shared.allow = true;
  EXPECT_TRUE(gate.try_start("http://h:80", now, wait)) << "the refusals held no place of the cap of 1";
  EXPECT_FALSE(gate.try_start("http://h:80", now, wait)) << "now the cap is reached";
  gate.finish("http://h:80", now, 429, 2000ms);
  EXPECT_EQ(shared.finished, 1);
  EXPECT_EQ(shared.last_status, 429);
  const auto hosts = gate.report();
  ASSERT_EQ(hosts.size(), 1U);
  EXPECT_EQ(hosts[0].counts.attempts, 1U);
}

}  // namespace
}  // namespace serentak
