#include "queue/redis_endpoint.hpp"

#include <gtest/gtest.h>

#include "queue/job_spec.hpp"

namespace serentak::queue {
namespace {

TEST(redis_endpoint, parses_host_port_credentials_and_job) {
  std::string problem;
  auto e = parse_redis_endpoint("redis://alice:p%40ss@db.example:6380/job-1.a_b", problem);
  ASSERT_TRUE(e) << problem;
  EXPECT_EQ(e->host, "db.example");
  EXPECT_EQ(e->port, 6380);
  EXPECT_EQ(e->user, "alice");
  EXPECT_EQ(e->password, "p@ss");
  EXPECT_EQ(e->job, "job-1.a_b");
  EXPECT_FALSE(e->tls);
  EXPECT_EQ(e->display(), "db.example:6380");
}

TEST(redis_endpoint, password_alone_default_port_ipv6_and_tls) {
  std::string problem;
  auto e = parse_redis_endpoint("redis://:secret@10.0.0.5/x", problem);
  ASSERT_TRUE(e) << problem;
  EXPECT_EQ(e->user, "");
  EXPECT_EQ(e->password, "secret");
  EXPECT_EQ(e->port, 6379);
  auto v6 = parse_redis_endpoint("rediss://[::1]:7000/y", problem);
  ASSERT_TRUE(v6) << problem;
  EXPECT_TRUE(v6->tls);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->display(), "[::1]:7000");
}

TEST(redis_endpoint, a_password_may_hold_slashes_at_signs_and_colons_unescaped) {
  std::string problem;
  auto e = parse_redis_endpoint("redis://alice:a/b@c:d/e==@db.example:6380/job", problem);
  ASSERT_TRUE(e) << problem;
  EXPECT_EQ(e->user, "alice");
  EXPECT_EQ(e->password, "a/b@c:d/e==");
  EXPECT_EQ(e->host, "db.example");
  EXPECT_EQ(e->port, 6380);
  EXPECT_EQ(e->job, "job");
}

TEST(redis_endpoint, refuses_bad_addresses_without_echoing_the_password) {
  for (const char* bad :
       {"http://h:1/x", "redis://h:1", "redis://h:1/", "redis://h:0/x", "redis://h:99999/x", "redis://h:12ab/x",
        "redis://:pw-SECRET@/x", "redis://h/a/b", "redis://h/na me", "redis://u:pw-SECRET%zz@h/x",
        "redis://:pw/pw-SECRET@h", "redis://:pw/pw-SECRET@h:1/bad name", "rediss://u:pw/pw-SECRET@h:1/"}) {
    std::string problem;
    EXPECT_FALSE(parse_redis_endpoint(bad, problem)) << bad;
    EXPECT_FALSE(problem.empty()) << bad;
    EXPECT_EQ(problem.find("pw-SECRET"), std::string::npos) << problem;
  }
}

TEST(job_spec, round_trips_through_json_and_the_digest_tells_specs_apart) {
  job_spec spec;
  spec.url_template = "http://h/p?id={}";
  spec.retries = 2;
  spec.rate_per_second = 50;
  std::string problem;
  auto back = parse_job_spec(spec.to_json(), problem);
  ASSERT_TRUE(back) << problem;
  EXPECT_EQ(back->to_json(), spec.to_json());
  EXPECT_EQ(back->digest(), spec.digest());
  job_spec other = spec;
  other.timeout = std::chrono::milliseconds(5001);
  EXPECT_NE(other.digest(), spec.digest());
  EXPECT_FALSE(parse_job_spec("{\"version\":2}", problem));
  EXPECT_FALSE(parse_job_spec("not json", problem));
}

TEST(job_spec, default_lease_is_twice_every_attempt_and_its_backoff_plus_slack) {
  job_spec spec;
  spec.timeout = std::chrono::milliseconds(5000);
  EXPECT_EQ(default_lease(spec), std::chrono::milliseconds(2 * 5000 + 2000));
  spec.retries = 2;  // backoff caps 200 ms and 400 ms
  EXPECT_EQ(default_lease(spec), std::chrono::milliseconds(2 * (3 * 5000 + 600) + 2000));
}

}  // namespace
}  // namespace serentak::queue
