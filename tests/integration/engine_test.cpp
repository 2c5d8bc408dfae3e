#include "client/engine/engine.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "client/inputs/vector_source.hpp"
#include "support/recording_observer.hpp"
#include "support/scripted_http_server.hpp"
#include "support/transport_param.hpp"

namespace serentak::client {
namespace {

using namespace std::chrono_literals;
using testing::recording_observer;
using testing::scripted_http_server;
using testing::scripted_reply;
using testing::scripted_request;
using clock_type = std::chrono::steady_clock;

const curl_global curl_for_engine_tests;  // before any test starts a thread

std::vector<fetch_request> requests_for(const std::vector<std::string>& urls) {
  std::vector<fetch_request> requests;
  for (std::size_t i = 0; i < urls.size(); ++i) requests.push_back({i, "item" + std::to_string(i), urls[i]});
  return requests;
}

std::vector<std::string> same_url(const std::string& url, std::size_t count) {
  return std::vector<std::string>(count, url);
}

engine_config config_with(std::size_t concurrency, unsigned threads, std::chrono::milliseconds timeout = 5s) {
  engine_config config;
  config.concurrency = concurrency;
  config.threads = threads;
  config.policy.timeout = timeout;
  config.transport = testing::current_transport();
  return config;
}

struct run_outcome {
  engine_report report;
  std::chrono::milliseconds wall{};
};

run_outcome run(const engine_config& config, const std::vector<std::string>& urls, recording_observer& observer,
                const std::atomic<bool>* stop = nullptr) {
  vector_source source(requests_for(urls));
  const auto started = clock_type::now();
  run_outcome out;
  out.report = run_engine(config, source, observer, stop);
  out.wall = std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - started);
  return out;
}

// One request against a server that does `reply`, with the given policy tweaks.
fetch_result fetch_one(const scripted_reply& reply, fetch_policy policy = {}) {
  scripted_http_server server([reply](const scripted_request&) { return reply; });
  engine_config config = config_with(1, 1);
  config.policy = policy;
  recording_observer observer;
  run(config, {server.url("/one")}, observer);
  observer.expect_each_once(1);
  return observer.result(0);
}

// Every engine test runs once with libcurl and once with the native transport.
class engine : public testing::transport_test {};
SERENTAK_FOR_EACH_TRANSPORT(engine);

// --- concurrency and the in-flight budget ----------------------------------------------------

TEST_P(engine, five_delayed_items_run_at_once_on_two_threads) {
  scripted_http_server server([](const scripted_request&) { return scripted_reply::respond(200, "{}", 300ms); });
  recording_observer observer;
  const run_outcome out = run(config_with(5, 2), same_url(server.url("/slow"), 5), observer);

  observer.expect_each_once(5);
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(observer.result(i).kind, outcome::ok) << observer.result(i).error;
  EXPECT_EQ(server.max_concurrent(), 5U);
  EXPECT_LT(out.wall, 4 * 300ms) << "sequential would be 1500 ms";
  EXPECT_EQ(out.report.admitted, 5U);
  EXPECT_EQ(out.report.finished, 5U);
  EXPECT_TRUE(out.report.error.empty()) << out.report.error;
}

TEST_P(engine, in_flight_never_exceeds_concurrency) {
  scripted_http_server server([](const scripted_request&) { return scripted_reply::respond(200, "{}", 60ms); });
  recording_observer observer;
  const run_outcome out = run(config_with(7, 2), same_url(server.url("/x"), 40), observer);

  observer.expect_each_once(40);
  EXPECT_LE(server.max_concurrent(), 7U);
  EXPECT_GE(server.max_concurrent(), 2U);
  EXPECT_EQ(server.requests_seen(), 40U);
  EXPECT_EQ(out.report.finished, 40U);
}

TEST_P(engine, never_runs_more_threads_than_concurrency) {
  scripted_http_server server([](const scripted_request&) { return scripted_reply::respond(200, "{}", 40ms); });
  recording_observer observer;
  run(config_with(3, 8), same_url(server.url("/x"), 12), observer);

  observer.expect_each_once(12);
  EXPECT_LE(server.max_concurrent(), 3U);
}

TEST_P(engine, zero_threads_means_the_hardware_count) {
  scripted_http_server server([](const scripted_request&) { return scripted_reply::respond(200, "{}"); });
  recording_observer observer;
  run(config_with(4, 0), same_url(server.url("/x"), 10), observer);
  observer.expect_each_once(10);
}

TEST_P(engine, waiting_for_a_slot_does_not_eat_the_timeout) {
  // One slot, four 150 ms items, a 400 ms timeout: the last item waits ~450 ms for its slot, yet
  // its own clock starts only when it is sent.
  scripted_http_server server([](const scripted_request&) { return scripted_reply::respond(200, "{}", 150ms); });
  recording_observer observer;
  run(config_with(1, 1, 400ms), same_url(server.url("/x"), 4), observer);

  observer.expect_each_once(4);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(observer.result(i).kind, outcome::ok) << observer.result(i).error;
  EXPECT_EQ(server.max_concurrent(), 1U);
}

TEST_P(engine, reuses_connections) {
  scripted_http_server server([](const scripted_request&) { return scripted_reply::respond(200, "{}"); });
  recording_observer observer;
  run(config_with(2, 1), same_url(server.url("/x"), 20), observer);
  observer.expect_each_once(20);
  EXPECT_LE(server.connections_accepted(), 4U) << "keep-alive should carry most of the 20 requests";
}

// --- outcomes ----------------------------------------------------------------------------------

TEST_P(engine, maps_http_statuses) {
  const std::map<std::string, int> status_of{{"/ok", 200}, {"/missing", 404}, {"/bad", 400}, {"/busy", 503}};
  scripted_http_server server([&](const scripted_request& request) {
    return scripted_reply::respond(status_of.at(request.target), "{\"path\":\"" + request.target + "\"}");
  });
  recording_observer observer;
  run(config_with(4, 2),
      {server.url("/ok"), server.url("/missing"), server.url("/bad"), server.url("/busy")}, observer);

  observer.expect_each_once(4);
  const outcome expected[] = {outcome::ok, outcome::not_found, outcome::client_error, outcome::server_error};
  const long statuses[] = {200, 404, 400, 503};
  for (std::size_t i = 0; i < 4; ++i) {
    const fetch_result result = observer.result(i);
    EXPECT_EQ(result.kind, expected[i]) << i;
    EXPECT_EQ(result.http_status, statuses[i]);
    EXPECT_TRUE(result.error.empty()) << result.error;
    EXPECT_EQ(result.attempts, 1);
    EXPECT_GT(result.latency.count(), 0);
  }
  EXPECT_EQ(observer.result(0).body, "{\"path\":\"/ok\"}");
  EXPECT_EQ(observer.result(3).body, "{\"path\":\"/busy\"}");  // error bodies are kept (their "message")
}

TEST_P(engine, a_hanging_server_times_out_on_time) {
  fetch_policy policy;
  policy.timeout = 200ms;
  const auto started = clock_type::now();
  const fetch_result result = fetch_one(scripted_reply::hang(), policy);
  const auto wall = clock_type::now() - started;

  EXPECT_EQ(result.kind, outcome::timeout) << result.error;
  EXPECT_EQ(result.http_status, 0);
  EXPECT_FALSE(result.error.empty());
  EXPECT_GE(result.latency, 180ms);
  EXPECT_LT(result.latency, 1500ms);
  EXPECT_LT(wall, 2s);
}

TEST_P(engine, a_slow_body_times_out_too) {
  fetch_policy policy;
  policy.timeout = 200ms;
  const fetch_result result = fetch_one(scripted_reply::respond(200, "{}", 1s), policy);
  EXPECT_EQ(result.kind, outcome::timeout) << result.error;
}

TEST_P(engine, a_refused_connection_is_a_connection_error_at_once) {
  recording_observer observer;
  const run_outcome out =
      run(config_with(1, 1), {"http://127.0.0.1:" + std::to_string(testing::unused_local_port()) + "/x"}, observer);
  observer.expect_each_once(1);
  EXPECT_EQ(observer.result(0).kind, outcome::connection_error) << observer.result(0).error;
  EXPECT_FALSE(observer.result(0).error.empty());
  EXPECT_LT(out.wall, 1s);
}

TEST_P(engine, a_reset_is_a_connection_error) {
  const fetch_result result = fetch_one(scripted_reply::reset_connection());
  EXPECT_EQ(result.kind, outcome::connection_error) << result.error;
}

TEST_P(engine, a_close_without_answer_is_a_connection_error) {
  const fetch_result result = fetch_one(scripted_reply::close_connection());
  EXPECT_EQ(result.kind, outcome::connection_error) << result.error;
}

TEST_P(engine, a_body_shorter_than_its_content_length_is_invalid) {
  const fetch_result result = fetch_one(scripted_reply::short_body("{\"partial\":", 100));
  EXPECT_EQ(result.kind, outcome::invalid_response) << result.error;
  EXPECT_TRUE(result.body.empty()) << "a cut-off body is not handed on";
}

TEST_P(engine, garbage_instead_of_http_is_invalid) {
  const fetch_result not_http = fetch_one(scripted_reply::garbage("HELLO THERE\r\n\r\n"));
  EXPECT_EQ(not_http.kind, outcome::invalid_response) << not_http.error;
  const fetch_result bad_status_line = fetch_one(scripted_reply::garbage("HTTP/1.1 abc\r\n\r\n"));
  EXPECT_EQ(bad_status_line.kind, outcome::invalid_response) << bad_status_line.error;
}

TEST_P(engine, a_body_over_the_cap_is_invalid) {
  fetch_policy policy;
  policy.max_body_bytes = 1000;
  const fetch_result over = fetch_one(scripted_reply::respond(200, std::string(5000, 'x')), policy);
  EXPECT_EQ(over.kind, outcome::invalid_response);
  EXPECT_EQ(over.error, "response body exceeds 1000 bytes");
  EXPECT_TRUE(over.body.empty());

  const fetch_result at_cap = fetch_one(scripted_reply::respond(200, std::string(1000, 'x')), policy);
  EXPECT_EQ(at_cap.kind, outcome::ok) << at_cap.error;
  EXPECT_EQ(at_cap.body.size(), 1000U);
}

TEST_P(engine, refuses_schemes_other_than_http) {
  scripted_http_server server([](const scripted_request&) { return scripted_reply::respond(200, "{}"); });
  recording_observer observer;
  run(config_with(2, 1), {"file:///etc/passwd", "ftp://127.0.0.1:" + std::to_string(server.port()) + "/x"},
      observer);

  observer.expect_each_once(2);
  for (std::size_t i = 0; i < 2; ++i) {
    const fetch_result result = observer.result(i);
    EXPECT_EQ(result.kind, outcome::unexpected) << result.error;
    EXPECT_EQ(result.http_status, 0);
    EXPECT_TRUE(result.body.empty());
    EXPECT_NE(result.error.find("not supported"), std::string::npos) << result.error;
  }
  EXPECT_EQ(server.requests_seen(), 0U);
}

TEST_P(engine, a_malformed_url_is_unexpected) {
  recording_observer observer;
  run(config_with(1, 1), {"http://[not-a-host/x"}, observer);
  observer.expect_each_once(1);
  EXPECT_EQ(observer.result(0).kind, outcome::unexpected) << observer.result(0).error;
}

TEST_P(engine, redirects_are_followed_only_to_http) {
  scripted_http_server server([](const scripted_request& request) {
    if (request.target == "/to-file") return scripted_reply::respond(302).with_header("Location", "file:///etc/passwd");
    if (request.target == "/to-ftp") return scripted_reply::respond(302).with_header("Location", "ftp://127.0.0.1/x");
    if (request.target == "/to-ok") return scripted_reply::respond(302).with_header("Location", "/ok");
    if (request.target == "/loop") return scripted_reply::respond(302).with_header("Location", "/loop");
    return scripted_reply::respond(200, "{\"landed\":true}");
  });
  fetch_policy follow;
  follow.follow_redirects = true;
  follow.max_redirects = 3;
  engine_config config = config_with(4, 1);
  config.policy = follow;
  recording_observer observer;
  run(config, {server.url("/to-file"), server.url("/to-ftp"), server.url("/to-ok"), server.url("/loop")}, observer);

  observer.expect_each_once(4);
  for (std::size_t i : {0U, 1U}) {
    const fetch_result refused = observer.result(i);
    EXPECT_EQ(refused.kind, outcome::invalid_response) << refused.error;
    EXPECT_EQ(refused.body.find("root:"), std::string::npos);
  }
  EXPECT_EQ(observer.result(2).kind, outcome::ok) << observer.result(2).error;
  EXPECT_EQ(observer.result(2).body, "{\"landed\":true}");
  EXPECT_EQ(observer.result(3).kind, outcome::invalid_response) << observer.result(3).error;

  // Without following, a redirect is a response we cannot use.
  recording_observer plain;
  run(config_with(1, 1), {server.url("/to-ok")}, plain);
  EXPECT_EQ(plain.result(0).kind, outcome::invalid_response);
  EXPECT_EQ(plain.result(0).http_status, 302);
}

// --- exactly once, stop, failures ---------------------------------------------------------------

TEST_P(engine, every_admitted_request_finishes_exactly_once_whatever_happens) {
  scripted_http_server server([](const scripted_request& request) {
    switch (request.sequence % 6) {
      case 0: return scripted_reply::respond(200, "{}", 10ms);
      case 1: return scripted_reply::respond(503, "{}");
      case 2: return scripted_reply::reset_connection();
      case 3: return scripted_reply::close_connection();
      case 4: return scripted_reply::short_body("{", 10);
      default: return scripted_reply::hang();
    }
  });
  recording_observer observer;
  const run_outcome out = run(config_with(8, 2, 300ms), same_url(server.url("/mixed"), 60), observer);

  observer.expect_each_once(60);
  EXPECT_EQ(out.report.admitted, 60U);
  EXPECT_EQ(out.report.finished, 60U);
  // No max_concurrent() bound here: the server only learns of a timed-out request when its
  // connection closes, after the client has already reused the slot.
}

TEST_P(engine, stop_cancels_what_is_in_flight_promptly) {
  scripted_http_server server([](const scripted_request&) { return scripted_reply::hang(); });
  recording_observer observer;
  std::atomic<bool> stop{false};
  clock_type::time_point stopped_at;
  std::jthread stopper([&] {
    std::this_thread::sleep_for(300ms);
    stopped_at = clock_type::now();
    stop = true;
  });
  const run_outcome out = run(config_with(6, 2, 10s), same_url(server.url("/hang"), 20), observer, &stop);
  const auto returned_at = clock_type::now();
  stopper.join();

  EXPECT_LT(returned_at - stopped_at, 500ms);
  EXPECT_EQ(out.report.admitted, 6U);
  EXPECT_EQ(out.report.finished, 6U);
  observer.expect_each_once(6);
  for (const auto& [index, count] : observer.finishes()) {
    const fetch_result result = observer.result(index);
    EXPECT_EQ(result.kind, outcome::unexpected);
    EXPECT_EQ(result.error, "cancelled");
  }
}

TEST_P(engine, a_stop_before_the_start_admits_nothing) {
  scripted_http_server server([](const scripted_request&) { return scripted_reply::respond(200, "{}"); });
  recording_observer observer;
  const std::atomic<bool> stop{true};
  const run_outcome out = run(config_with(4, 2), same_url(server.url("/x"), 10), observer, &stop);
  EXPECT_EQ(out.report.admitted, 0U);
  EXPECT_TRUE(observer.finishes().empty());
}

// Throws from on_start for odd indexes: those requests fail, yet still finish exactly once.
class throwing_observer : public recording_observer {
 public:
  void on_start(const fetch_request& request) override {
    recording_observer::on_start(request);
    if (request.index % 2 == 1) throw std::runtime_error("observer broke");
  }
};

TEST_P(engine, an_observer_that_throws_does_not_take_the_run_down) {
  scripted_http_server server([](const scripted_request&) { return scripted_reply::respond(200, "{}"); });
  throwing_observer observer;
  vector_source source(requests_for(same_url(server.url("/x"), 6)));
  const engine_report report = run_engine(config_with(3, 2), source, observer);

  observer.expect_each_once(6);
  EXPECT_EQ(report.finished, 6U);
  for (std::size_t i = 0; i < 6; ++i) {
    const fetch_result result = observer.result(i);
    if (i % 2 == 1) {
      EXPECT_EQ(result.kind, outcome::unexpected);
      EXPECT_NE(result.error.find("observer broke"), std::string::npos) << result.error;
    } else {
      EXPECT_EQ(result.kind, outcome::ok) << result.error;
    }
  }
}

// Hands out three requests, then throws: the engine ends cleanly and says why.
class failing_source : public work_source {
 public:
  explicit failing_source(std::string url) : url_(std::move(url)) {}
  std::optional<fetch_request> next() override {
    std::lock_guard lock(mutex_);
    if (given_ == 3) throw std::runtime_error("input went away");
    return fetch_request{given_++, "item", url_};
  }

 private:
  std::mutex mutex_;  // guards given_
  std::size_t given_ = 0;
  std::string url_;
};

TEST_P(engine, a_failing_source_ends_the_run_with_its_error) {
  scripted_http_server server([](const scripted_request&) { return scripted_reply::respond(200, "{}", 50ms); });
  failing_source source(server.url("/x"));
  recording_observer observer;
  const engine_report report = run_engine(config_with(2, 2), source, observer);

  EXPECT_EQ(report.admitted, 3U);
  EXPECT_EQ(report.finished, 3U);
  observer.expect_each_once(3);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(observer.result(i).kind, outcome::ok);
  EXPECT_NE(report.error.find("input went away"), std::string::npos) << report.error;
}

TEST_P(engine, rejects_a_bad_config_before_taking_anything) {
  vector_source source(requests_for({"http://127.0.0.1:1/x"}));
  recording_observer observer;
  EXPECT_THROW(run_engine(config_with(0, 1), source, observer), std::invalid_argument);
  EXPECT_THROW(run_engine(config_with(1, 1, 0ms), source, observer), std::invalid_argument);
  EXPECT_EQ(source.taken(), 0U);
}

TEST(vector_source, hands_each_request_out_once_across_threads) {
  constexpr std::size_t count = 10000;
  std::vector<std::string> urls(count, "http://h/x");
  vector_source source(requests_for(urls));
  std::vector<std::vector<std::size_t>> seen(4);
  {
    std::vector<std::jthread> threads;
    for (auto& mine : seen) {
      threads.emplace_back([&source, &mine] {
        while (auto request = source.next()) mine.push_back(request->index);
      });
    }
  }
  std::set<std::size_t> all;
  std::size_t total = 0;
  for (const auto& mine : seen) {
    total += mine.size();
    all.insert(mine.begin(), mine.end());
  }
  EXPECT_EQ(total, count);
  EXPECT_EQ(all.size(), count);
  EXPECT_EQ(source.taken(), count);
  EXPECT_FALSE(source.next().has_value());
}

}  // namespace
}  // namespace serentak::client
