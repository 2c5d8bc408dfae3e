// The alert sender against real receivers: a scripted HTTP server as the webhook target (retries,
// a hanging receiver, redaction), real commands for exec alerts (stdin, timeout kill, a missing
// program). Backoffs are 50 ms and timeouts a fraction of a second, so each test takes well under
// a few seconds.

#include "monitor/alert_sender.hpp"

#include <curl/curl.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <cerrno>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/file_text.hpp"
#include "support/polling.hpp"
#include "support/scripted_http_server.hpp"
#include "support/test_paths.hpp"

namespace serentak::monitor {
namespace {

using namespace std::chrono_literals;
using testing::scripted_http_server;
using testing::scripted_reply;
using testing::scripted_request;

// libcurl's process-wide init, as main's curl_global does before any thread starts.
class curl_environment : public ::testing::Environment {
 public:
  void SetUp() override { ASSERT_EQ(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK); }
  void TearDown() override { curl_global_cleanup(); }
};
[[maybe_unused]] ::testing::Environment* const curl_env = ::testing::AddGlobalTestEnvironment(new curl_environment);

const wall_time w0{std::chrono::seconds{1796428800}};  // 2026-12-05T00:00:00Z

// Lines the sender logs, from whichever thread.
class log_lines {
 public:
  alert_log sink() {
    return [this](std::string_view line) {
      const std::lock_guard lock(mutex_);
      lines_.emplace_back(line);
    };
  }
  std::vector<std::string> all() const {
    const std::lock_guard lock(mutex_);
    return lines_;
  }
  std::string text() const {
    std::string out;
    for (const std::string& l : all()) out += l + "\n";
    return out;
  }
  std::size_t count(std::string_view part) const {
    std::size_t n = 0;
    for (const std::string& l : all()) n += l.find(part) != std::string::npos ? 1 : 0;
    return n;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

alert_sender_options fast(log_lines& log) {
  alert_sender_options o;
  o.backoff = 50ms;
  o.close_timeout = 3s;
  o.log = log.sink();
  return o;
}

alert_event change(health from, health to, wall_time at = w0, std::string failed = "[STATUS] (503) == 200") {
  return alert_event{"pizza-101",       "pizza", "http://127.0.0.1:5000/get_order_status?order_id=ORD-101", from, to,
                     std::move(failed), at};
}

alert_config webhook(std::string url, std::string body_template = {}) {
  alert_config a;
  a.type = alert_config::kind::webhook;
  a.url = std::move(url);
  a.body_template = std::move(body_template);
  a.timeout = 2s;
  return a;
}

alert_config exec(std::vector<std::string> command, std::chrono::milliseconds timeout = 2s) {
  alert_config a;
  a.type = alert_config::kind::exec;
  a.command = std::move(command);
  a.timeout = timeout;
  return a;
}

endpoint_config alert_endpoint(std::vector<alert_config> alerts, std::string name = "pizza-101") {
  endpoint_config e;
  e.name = std::move(name);
  e.group = "pizza";
  e.url = "http://127.0.0.1:5000/get_order_status?order_id=ORD-101";
  e.alerts = std::move(alerts);
  return e;
}

using testing::read_file;

using testing::wait_for;

TEST(monitor_alerts, a_webhook_posts_the_rendered_json_body_and_server_text_stays_valid_json) {
  scripted_http_server receiver([](const scripted_request&) { return scripted_reply::respond(200, "ok"); });
  log_lines log;
  alert_sender sender(fast(log));
  const std::string hostile = "[BODY].status (\"Out\", \"admin\": true}\nline two\\ \x01 \xC0) == ok";
  const auto e =
      alert_endpoint({webhook(receiver.url("/slack"), R"({"text": "[ENDPOINT_NAME] is [STATE]: [FAILED_CONDITIONS]",)"
                                                      R"( "event": "[ALERT_TRIGGERED_OR_RESOLVED]"})"),
                      webhook(receiver.url("/plain"))});
  EXPECT_TRUE(sender.offer(e, change(health::up, health::down, w0, hostile)));
  sender.close();

  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 2u) << log.text();
  EXPECT_EQ(sender.sent(), 2u);
  EXPECT_EQ(sender.failed(), 0u);
  EXPECT_EQ(sender.dropped(), 0u);
  for (const scripted_request& r : requests) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.header("content-type"), "application/json");
    const auto body = nlohmann::json::parse(r.body, nullptr, false);
    ASSERT_FALSE(body.is_discarded()) << r.body;
    if (r.target == "/slack") {
      EXPECT_EQ(body.size(), 2u) << "no field forged by the server's text: " << r.body;
      EXPECT_EQ(body["event"], "TRIGGERED");
      EXPECT_EQ(body["text"].get<std::string>().rfind(
                    "pizza-101 is down: [BODY].status (\"Out\", \"admin\": true}\nline two\\ \x01 ", 0),
                0u)
          << r.body;
    } else {
      EXPECT_EQ(r.target, "/plain");
      EXPECT_EQ(r.body, alert_json(change(health::up, health::down, w0, hostile)));
      EXPECT_EQ(body["event"], "TRIGGERED");
      EXPECT_EQ(body["state"], "down");
      EXPECT_EQ(body["previous_state"], "up");
    }
  }
  EXPECT_EQ(log.count("alert sent: endpoint \"pizza-101\" TRIGGERED via webhook http://127.0.0.1:"), 2u) << log.text();
}

TEST(monitor_alerts, a_500_then_200_is_retried_after_the_backoff_and_sent_once) {
  scripted_http_server receiver([](const scripted_request& r) {
    return r.sequence == 0 ? scripted_reply::respond(500, "busy") : scripted_reply::respond(200);
  });
  log_lines log;
  alert_sender sender(fast(log));
  EXPECT_TRUE(sender.offer(alert_endpoint({webhook(receiver.url("/hook"))}), change(health::up, health::down)));
  sender.close();
  EXPECT_EQ(receiver.requests_seen(), 2u);
  EXPECT_EQ(sender.sent(), 1u);
  EXPECT_EQ(sender.failed(), 0u);
  const auto arrivals = receiver.arrival_times();
  ASSERT_EQ(arrivals.size(), 2u);
  EXPECT_GE(arrivals[1] - arrivals[0], 50ms) << "the second try waits for the backoff";
  EXPECT_EQ(log.count("(HTTP 200, attempt 2 of 3)"), 1u) << log.text();
}

TEST(monitor_alerts, a_4xx_is_failed_at_once_and_a_dead_receiver_after_every_attempt) {
  scripted_http_server receiver([](const scripted_request&) { return scripted_reply::respond(404); });
  log_lines log;
  alert_sender sender(fast(log));
  EXPECT_TRUE(sender.offer(alert_endpoint({webhook(receiver.url("/gone"))}), change(health::up, health::down)));
  const std::string refused = "http://127.0.0.1:" + std::to_string(testing::unused_local_port()) + "/hook";
  EXPECT_TRUE(sender.offer(alert_endpoint({webhook(refused)}, "weather-jakarta"), change(health::up, health::down)));
  sender.close();
  EXPECT_EQ(receiver.requests_seen(), 1u) << "a 404 is not retried";
  EXPECT_EQ(sender.failed(), 2u);
  EXPECT_EQ(sender.sent(), 0u);
  EXPECT_EQ(log.count("alert failed: endpoint \"pizza-101\" TRIGGERED via webhook"), 1u) << log.text();
  EXPECT_EQ(log.count(": HTTP 404 (1 of 3 attempts)"), 1u) << log.text();
  EXPECT_EQ(log.count("alert failed: endpoint \"weather-jakarta\""), 1u) << log.text();
  EXPECT_EQ(log.count("(3 of 3 attempts)"), 1u) << "a refused connection is retried: " << log.text();
}

TEST(monitor_alerts, a_redirect_is_never_followed_to_another_scheme_or_at_all) {
  std::atomic<int> other_hits{0};
  scripted_http_server other([&](const scripted_request&) {
    ++other_hits;
    return scripted_reply::respond(200);
  });
  scripted_http_server receiver([&](const scripted_request& r) {
    const std::string to = r.target == "/file" ? "file:///etc/passwd" : other.url("/moved");
    return scripted_reply::respond(r.target == "/file" ? 302 : 307).with_header("Location", to);
  });
  log_lines log;
  alert_sender sender(fast(log));
  EXPECT_TRUE(sender.offer(alert_endpoint({webhook(receiver.url("/file")), webhook(receiver.url("/http"))}),
                           change(health::up, health::down)));
  sender.close();
  EXPECT_EQ(receiver.requests_seen(), 2u) << "a 3xx is not retried";
  EXPECT_EQ(other_hits.load(), 0) << "not even an http redirect is followed";
  EXPECT_EQ(sender.failed(), 2u);
  EXPECT_EQ(log.count(": HTTP 302 (1 of 3 attempts)"), 1u) << log.text();
  EXPECT_EQ(log.count(": HTTP 307 (1 of 3 attempts)"), 1u) << log.text();
}

TEST(monitor_alerts, a_hanging_receiver_never_delays_offer_a_full_queue_drops_and_close_is_bounded) {
  scripted_http_server receiver([](const scripted_request&) { return scripted_reply::hang(); });
  log_lines log;
  auto options = fast(log);
  options.capacity = 2;
  options.close_timeout = 300ms;
  alert_sender sender(options);
  const auto hook = webhook(receiver.url("/hook"));  // 2 s per try, 3 tries

  EXPECT_TRUE(sender.offer(alert_endpoint({hook}, "e0"), change(health::up, health::down)));
  ASSERT_TRUE(wait_for([&] { return receiver.requests_seen() == 1; }, 3s)) << "the worker holds the first alert";
  const auto offered_at = std::chrono::steady_clock::now();  // after the worker's start and first connect
  for (int i = 1; i <= 10; ++i) {
    const bool queued = sender.offer(alert_endpoint({hook}, "e" + std::to_string(i)), change(health::up, health::down));
    EXPECT_EQ(queued, i <= 2) << i;
  }
  const auto offers_took = std::chrono::steady_clock::now() - offered_at;
  EXPECT_LT(offers_took, 1500ms) << "offer() never waits for the 2 s receiver";
  EXPECT_EQ(sender.queue_depth(), 2u);
  EXPECT_EQ(sender.dropped(), 8u);
  EXPECT_EQ(log.count("the queue is full (2 waiting)"), 8u) << log.text();

  const auto closing = std::chrono::steady_clock::now();
  sender.close();
  EXPECT_LT(std::chrono::steady_clock::now() - closing, 1500ms) << "close gives up after 300 ms, not 2 s x 3";
  EXPECT_EQ(sender.failed(), 1u) << "the alert in flight was stopped";
  EXPECT_EQ(sender.dropped(), 10u) << "the two still queued were dropped at close";
  EXPECT_EQ(sender.sent(), 0u);
  EXPECT_EQ(log.count("close's 300 ms ran out"), 2u) << log.text();
  EXPECT_FALSE(sender.offer(alert_endpoint({hook}, "late"), change(health::up, health::down)));
  EXPECT_EQ(log.count("the sender is closed"), 1u) << log.text();
}

TEST(monitor_alerts, a_dropped_trigger_is_forgotten_by_its_gate) {
  // The first request is held until the test has made its offers, so with a queue of one the third
  // alert finds it full however slowly the test thread runs (a hang guard bounds the hold).
  std::atomic<bool> offers_made{false};
  scripted_http_server receiver([&](const scripted_request& r) {
    for (int i = 0; r.sequence == 0 && i < 1000 && !offers_made.load(); ++i) std::this_thread::sleep_for(10ms);
    return scripted_reply::respond(200);
  });
  log_lines log;
  auto options = fast(log);
  options.capacity = 1;
  alert_sender sender(options);
  auto hook = webhook(receiver.url("/hook"));
  hook.min_realert = 30min;
  const auto change_of = [](std::string name, health from, health to, wall_time at) {
    auto e = change(from, to, at);
    e.endpoint = std::move(name);
    return e;
  };
  EXPECT_TRUE(sender.offer(alert_endpoint({hook}, "a"), change_of("a", health::up, health::down, w0)));
  ASSERT_TRUE(wait_for([&] { return receiver.requests_seen() == 1; }, 3s));
  EXPECT_TRUE(sender.offer(alert_endpoint({hook}, "b"), change_of("b", health::up, health::down, w0)));
  EXPECT_FALSE(sender.offer(alert_endpoint({hook}, "x"), change_of("x", health::up, health::down, w0)));
  offers_made = true;
  EXPECT_EQ(sender.dropped(), 1u);
  ASSERT_TRUE(wait_for([&] { return sender.sent() == 2; }, 3s)) << log.text();

  // x's trigger never went out: no resolution for it, and no min-realert interval started by it.
  EXPECT_TRUE(sender.offer(alert_endpoint({hook}, "x"), change_of("x", health::down, health::up, w0 + 1min)));
  EXPECT_TRUE(sender.offer(alert_endpoint({hook}, "x"), change_of("x", health::up, health::down, w0 + 2min)));
  sender.close();
  std::vector<std::string> x_events;
  for (const auto& r : receiver.requests()) {
    const auto body = nlohmann::json::parse(r.body);
    if (body["endpoint"] == "x") x_events.push_back(body["event"].get<std::string>());
  }
  EXPECT_EQ(x_events, std::vector<std::string>{"TRIGGERED"});
  EXPECT_EQ(sender.sent(), 3u);
}

TEST(monitor_alerts, send_on_resolved_false_sends_no_resolution) {
  scripted_http_server receiver([](const scripted_request&) { return scripted_reply::respond(204); });
  log_lines log;
  alert_sender sender(fast(log));
  auto quiet = webhook(receiver.url("/quiet"));
  quiet.send_on_resolved = false;
  const auto e = alert_endpoint({quiet, webhook(receiver.url("/both"))});
  EXPECT_TRUE(sender.offer(e, change(health::up, health::down, w0)));
  EXPECT_TRUE(sender.offer(e, change(health::down, health::up, w0 + 1min)));
  sender.close();
  std::vector<std::string> quiet_events, both_events;
  for (const auto& r : receiver.requests()) {
    const auto event = nlohmann::json::parse(r.body)["event"].get<std::string>();
    (r.target == "/quiet" ? quiet_events : both_events).push_back(event);
  }
  EXPECT_EQ(quiet_events, std::vector<std::string>{"TRIGGERED"});
  EXPECT_EQ(both_events, (std::vector<std::string>{"TRIGGERED", "RESOLVED"})) << "each alert has its own gate";
  EXPECT_EQ(sender.sent(), 3u);
}

TEST(monitor_alerts, min_realert_suppresses_a_second_trigger_within_the_interval) {
  scripted_http_server receiver([](const scripted_request&) { return scripted_reply::respond(200); });
  log_lines log;
  alert_sender sender(fast(log));
  auto hook = webhook(receiver.url("/hook"));
  hook.min_realert = 30min;
  const auto e = alert_endpoint({hook});
  EXPECT_TRUE(sender.offer(e, change(health::up, health::degraded, w0)));           // sent
  EXPECT_TRUE(sender.offer(e, change(health::degraded, health::down, w0 + 1min)));  // suppressed: not dropped
  EXPECT_TRUE(sender.offer(e, change(health::down, health::up, w0 + 2min)));        // resolution sent
  EXPECT_TRUE(sender.offer(e, change(health::up, health::down, w0 + 40min)));       // 38 min later: sent
  sender.close();
  std::vector<std::string> states;
  for (const auto& r : receiver.requests()) states.push_back(nlohmann::json::parse(r.body)["state"].get<std::string>());
  EXPECT_EQ(states, (std::vector<std::string>{"degraded", "up", "down"}));
  EXPECT_EQ(sender.dropped(), 0u);
}

TEST(monitor_alerts, close_sends_what_is_queued_and_offers_from_many_threads_each_arrive) {
  scripted_http_server receiver([](const scripted_request&) { return scripted_reply::respond(200); });
  log_lines log;
  auto options = fast(log);
  options.close_timeout = 60s;  // a hang guard only: 100 POSTs on a loaded sanitizer build take a while
  alert_sender sender(options);
  const auto hook = webhook(receiver.url("/hook"));
  std::vector<std::thread> runners;
  for (int t = 0; t < 4; ++t) {
    runners.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        sender.offer(alert_endpoint({hook}, "t" + std::to_string(t) + "-" + std::to_string(i)),
                     change(health::up, health::down));
      }
    });
  }
  for (auto& r : runners) r.join();
  sender.close();
  EXPECT_EQ(receiver.requests_seen(), 100u);
  EXPECT_EQ(sender.sent(), 100u);
  EXPECT_EQ(sender.dropped(), 0u);
  EXPECT_EQ(sender.queue_depth(), 0u);
}

TEST(monitor_alerts, credentials_and_query_secrets_of_the_webhook_url_never_reach_a_log_line) {
  scripted_http_server receiver([](const scripted_request&) { return scripted_reply::respond(500); });
  log_lines log;
  auto options = fast(log);
  options.webhook_attempts = 2;
  alert_sender sender(options);
  const std::string url = "http://alice:s3cret@127.0.0.1:" + std::to_string(receiver.port()) + "/hook?token=t0ken&x=1";
  const auto e = alert_endpoint({webhook(url)});
  EXPECT_TRUE(sender.offer(e, change(health::up, health::down)));
  sender.close();
  EXPECT_FALSE(sender.offer(e, change(health::down, health::up, w0 + 1min)));
  ASSERT_EQ(receiver.requests_seen(), 2u);
  const auto first = receiver.requests().front();
  EXPECT_EQ(first.target, "/hook?token=t0ken&x=1") << "sent as configured";
  EXPECT_TRUE(first.header("authorization").has_value()) << "curl sends the URL's credentials";
  const std::string text = log.text();
  EXPECT_EQ(log.count("alert failed:"), 1u) << text;
  EXPECT_EQ(log.count("alert dropped:"), 1u) << text;
  EXPECT_EQ(text.find("s3cret"), std::string::npos) << text;
  EXPECT_EQ(text.find("alice"), std::string::npos) << text;
  EXPECT_EQ(text.find("t0ken"), std::string::npos) << text;
  EXPECT_NE(text.find("***@127.0.0.1"), std::string::npos) << text;
}

TEST(monitor_alerts, exec_reads_the_alert_json_on_stdin) {
  testing::scratch_dir dir;
  const auto file = dir.path() / "alert.json";
  log_lines log;
  alert_sender sender(fast(log));
  const auto event = change(health::up, health::down, w0, "quote \" newline \n end");
  EXPECT_TRUE(sender.offer(alert_endpoint({exec({"/bin/sh", "-c", "cat > \"$0\"", file.string()})}), event));
  sender.close();
  EXPECT_EQ(sender.sent(), 1u) << log.text();
  const std::string got = read_file(file);
  EXPECT_EQ(got, alert_json(event));
  EXPECT_FALSE(nlohmann::json::parse(got, nullptr, false).is_discarded());
  EXPECT_EQ(log.count("alert sent: endpoint \"pizza-101\" TRIGGERED via exec /bin/sh (exit status 0)"), 1u)
      << log.text();
}

TEST(monitor_alerts, exec_past_its_timeout_is_killed_by_pid_reaped_and_failed) {
  testing::scratch_dir dir;
  const auto pid_file = dir.path() / "pid";
  log_lines log;
  alert_sender sender(fast(log));
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(
      sender.offer(alert_endpoint({exec({"/bin/sh", "-c", "echo $$ > \"$0\"; exec sleep 30", pid_file.string()}, 1s)}),
                   change(health::up, health::down)));
  ASSERT_TRUE(wait_for([&] { return sender.failed() == 1; }, 10s)) << log.text();
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_GE(took, 1s);
  EXPECT_LT(took, 10s) << "killed at its timeout, not after the 30 s sleep";
  EXPECT_EQ(log.count("via exec /bin/sh: timed out after 1000 ms, killed"), 1u) << log.text();
  const std::string pid_text = read_file(pid_file);
  ASSERT_FALSE(pid_text.empty()) << "the shell never ran in its 1 s";
  const int pid = std::stoi(pid_text);
  EXPECT_EQ(::kill(pid, 0), -1) << "reaped: no zombie left under its PID";
  EXPECT_EQ(errno, ESRCH);
  sender.close();
  EXPECT_EQ(sender.sent(), 0u);
}

TEST(monitor_alerts, exec_failures_are_clean_and_not_retried) {
  testing::scratch_dir dir;
  const auto runs = dir.path() / "runs";
  log_lines log;
  alert_sender sender(fast(log));
  // A missing program, a nonzero exit (run once), and a command that never reads a 1 MB stdin.
  EXPECT_TRUE(sender.offer(alert_endpoint({exec({"/nonexistent/serentak-alert-hook", "--flag"})}, "missing"),
                           change(health::up, health::down)));
  EXPECT_TRUE(
      sender.offer(alert_endpoint({exec({"/bin/sh", "-c", "echo run >> \"$0\"; exit 3", runs.string()})}, "exit3"),
                   change(health::up, health::down)));
  EXPECT_TRUE(sender.offer(alert_endpoint({exec({"true"})}, "no-reader"),
                           change(health::up, health::down, w0, std::string(1 << 20, 'x'))));
  sender.close();
  EXPECT_EQ(sender.failed(), 2u) << log.text();
  EXPECT_EQ(sender.sent(), 1u) << "a child that ignores its stdin exits 0 and the monitor survives SIGPIPE";
  EXPECT_EQ(log.count("alert failed: endpoint \"missing\" TRIGGERED via exec /nonexistent/serentak-alert-hook: "
                      "cannot start /nonexistent/serentak-alert-hook: No such file or directory"),
            1u)
      << log.text();
  EXPECT_EQ(log.count("alert failed: endpoint \"exit3\" TRIGGERED via exec /bin/sh: exit status 3"), 1u) << log.text();
  EXPECT_EQ(read_file(runs), "run\n") << "an exec alert runs once";
  EXPECT_EQ(log.all().size(), 3u) << log.text();
}

}  // namespace
}  // namespace serentak::monitor
