// `serentak monitor FILE` (issue 16): the real binary runs a monitor file against a scripted
// server (replies chosen per path, flipped from ok to 500 by the test), with 100 ms intervals.
// What is asserted is what the command promises: checks land in the history with their due and
// start times, a failing endpoint goes down after its threshold and says so, a SIGKILL and a
// restart keep the down-streak, a bad file is FILE:LINE:COL and exit 2, SIGTERM is 143 with every
// logged check in the history, and `monitor history` prints valid, escaped JSONL and text.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "monitor/history_store.hpp"
#include "support/dashboard_harness.hpp"
#include "support/file_text.hpp"
#include "support/polling.hpp"
#include "support/child_process.hpp"
#include "support/process_runner.hpp"
#include "support/scripted_http_server.hpp"
#include "support/test_paths.hpp"

namespace serentak {
namespace {

using namespace std::chrono_literals;
using testing::binary_path;
using testing::child_process;
using testing::run_process;
using testing::scratch_dir;
using testing::scripted_http_server;
using testing::scripted_reply;
using testing::scripted_request;

// /ok answers 200 {"status":"ok"}; /bad answers 500 with a body holding terminal escapes (server
// text that must never reach a terminal raw); /flip answers like /ok until flipped.
class service {
 public:
  service()
      : server_([this](const scripted_request& r) {
          if (r.target == "/ok" || (r.target == "/flip" && !failing_.load())) {
            return scripted_reply::respond(200, R"({"status":"ok"})");
          }
          return scripted_reply::respond(500, "\x1b[2Jdown\x07");
        }) {}
  std::string url(const std::string& path) const { return server_.url(path); }
  void fail(bool on) { failing_.store(on); }

 private:
  std::atomic<bool> failing_{false};
  scripted_http_server server_;
};

using testing::wait_for;

// testing::write_file, handing the path back for the line that names the file.
std::filesystem::path write_monitor_file(const std::filesystem::path& path, const std::string& text) {
  testing::write_file(path, text);
  return path;
}

// Two endpoints checked every 100 ms: "good" on /ok, "bad" on /bad (down after 2 failures).
std::string two_endpoints(const service& s) {
  return "defaults:\n"
         "  interval: 100ms\n"
         "  timeout: 2s\n"
         "  conditions: [\"[STATUS] == 200\"]\n"
         "endpoints:\n"
         "  - name: good\n"
         "    url: " +
         s.url("/ok") +
         "\n"
         "  - name: bad\n"
         "    url: " +
         s.url("/bad") +
         "\n"
         "    failure-threshold: 2\n"
         "    conditions: [\"[STATUS] == 200\", \"[BODY] == ok\"]\n";
}

std::vector<std::string> monitor_args(const std::filesystem::path& file, std::vector<std::string> more = {}) {
  std::vector<std::string> args{binary_path().string(), "monitor", file.string()};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

// The log's lines for one endpoint ("[time] [name] message" -> message), in order.
std::vector<std::string> log_messages(const std::filesystem::path& log, const std::string& name) {
  std::vector<std::string> out;
  std::istringstream in(testing::read_file(log));
  const std::string tag = "] [" + name + "] ";
  for (std::string line; std::getline(in, line);) {
    if (auto at = line.find(tag); at != std::string::npos) out.push_back(line.substr(at + tag.size()));
  }
  return out;
}

bool is_check_line(const std::string& message) {
  return message.starts_with("pass:") || message.starts_with("FAIL:") || message.starts_with("DEGRADED") ||
         message.starts_with("re-check ");
}

std::size_t count_if_any(const std::vector<std::string>& lines, const std::string& needle) {
  return static_cast<std::size_t>(std::count_if(
      lines.begin(), lines.end(), [&](const std::string& l) { return l.find(needle) != std::string::npos; }));
}

TEST(monitor_command, checks_land_in_the_history_a_failing_endpoint_goes_down_and_sigterm_flushes_it) {
  service s;
  scratch_dir dir;
  const auto file = write_monitor_file(dir.path() / "services.yaml", two_endpoints(s));
  const auto log = dir.path() / "services.log";
  const auto db = dir.path() / "services.db";
  child_process monitor(monitor_args(file), dir.path() / "run");

  ASSERT_TRUE(wait_for([&] { return count_if_any(log_messages(log, "bad"), "-> down") > 0; }, 5s))
      << "bad never went down; stderr: " << monitor.err();
  ASSERT_TRUE(wait_for(
      [&] {
        const auto lines = log_messages(log, "good");
        return std::count_if(lines.begin(), lines.end(), is_check_line) >= 4;
      },
      5s));
  monitor.signal(SIGTERM);
  auto status = monitor.wait(5s);
  ASSERT_TRUE(status.has_value()) << "SIGTERM did not stop the monitor";
  EXPECT_EQ(*status, 143) << monitor.err();

  const std::string err = monitor.err();
  EXPECT_NE(err.find("2 endpoints"), std::string::npos) << "start banner: " << err;
  EXPECT_NE(err.find(db.string()), std::string::npos) << "the banner names the default db next to the file: " << err;
  EXPECT_NE(err.find("bad: unknown -> down"), std::string::npos) << "the health change is said on stderr: " << err;
  EXPECT_EQ(err.find('\x1b'), std::string::npos) << "server text reached stderr raw";

  const auto bad_lines = log_messages(log, "bad");
  EXPECT_EQ(count_if_any(bad_lines, "unknown -> down"), 1u) << "one change, after the threshold";
  const auto first_down = std::find_if(bad_lines.begin(), bad_lines.end(),
                                       [](const std::string& l) { return l.find("-> down") != std::string::npos; });
  EXPECT_EQ(std::count_if(bad_lines.begin(), first_down, is_check_line), 2)
      << "down after failure-threshold (2) checks";
  EXPECT_EQ(testing::read_file(log).find('\x1b'), std::string::npos) << "server text reached the log raw";

  // Every check the log reported is in the history: SIGTERM flushed it.
  std::size_t logged = 0;
  for (const char* name : {"good", "bad"}) {
    const auto lines = log_messages(log, name);
    logged += static_cast<std::size_t>(std::count_if(lines.begin(), lines.end(), is_check_line));
  }
  monitor::history_store store(db.string());
  EXPECT_EQ(store.count_checks(), logged) << "checks logged but not committed to the history";
  const auto good = store.checks("good", {});
  ASSERT_GE(good.size(), 4u);
  for (const auto& r : good) {
    EXPECT_TRUE(r.passed);
    EXPECT_EQ(r.status, 200);
    EXPECT_LE(r.due, r.started) << "a check started before it was due";
    EXPECT_LT(r.started - r.due, 1s) << "a check started a second late";
  }
  for (std::size_t i = 2; i < good.size(); ++i) {
    // Fixed rate: consecutive due times are whole intervals apart (skips allowed, drift not), from
    // the second check on: the first is placed within what start-up left of the first interval.
    const auto gap = std::chrono::duration_cast<std::chrono::milliseconds>(good[i].due - good[i - 1].due).count();
    EXPECT_TRUE(gap >= 95 && (gap % 100 <= 5 || gap % 100 >= 95)) << "due times " << gap << " ms apart";
  }
  const auto states = store.load_states();
  ASSERT_EQ(states.count("bad"), 1u);
  EXPECT_EQ(states.at("bad").state, monitor::health::down);
  EXPECT_GE(states.at("bad").failure_streak, 2);
  EXPECT_EQ(states.at("good").state, monitor::health::up);
  const auto bad = store.checks("bad", {});
  ASSERT_FALSE(bad.empty());
  EXPECT_FALSE(bad.front().passed);
  EXPECT_EQ(bad.front().outcome, "server_error");
  EXPECT_NE(bad.front().failed_conditions.find("[BODY] == ok"), std::string::npos) << bad.front().failed_conditions;
}

// SIGTERM while a check is in flight: no check starts after it, and the one in flight (its answer
// comes 600 ms later) finishes, is judged and lands in the history and the log before the exit.
TEST(monitor_command, sigterm_lets_the_check_in_flight_finish_and_stores_it) {
  scripted_http_server slow([](const scripted_request&) { return scripted_reply::respond(200, "ok", 600ms); });
  scratch_dir dir;
  const auto file = write_monitor_file(dir.path() / "slow.yaml",
                                       "endpoints:\n"
                                       "  - name: slow\n"
                                       "    url: " +
                                           slow.url("/slow") +
                                           "\n"
                                           "    interval: 100ms\n"
                                           "    timeout: 5s\n");
  child_process monitor(monitor_args(file), dir.path() / "run");
  ASSERT_TRUE(wait_for([&] { return slow.requests_seen() >= 1; }, 10s)) << monitor.err();
  monitor.signal(SIGTERM);  // the first check is waiting for its answer
  const auto stopped_at = std::chrono::steady_clock::now();
  const auto status = monitor.wait(10s);
  ASSERT_TRUE(status.has_value()) << "SIGTERM did not stop the monitor";
  EXPECT_EQ(*status, 143) << monitor.err();
  EXPECT_LT(std::chrono::steady_clock::now() - stopped_at, 5s) << "the drain is bounded (1 s) and the exit prompt";
  EXPECT_EQ(slow.requests_seen(), 1u) << "no check starts after the signal";
  monitor::history_store store((dir.path() / "slow.db").string());
  const auto checks = store.checks("slow", {});
  ASSERT_EQ(checks.size(), 1u) << "the check in flight at SIGTERM was stored; stderr: " << monitor.err();
  EXPECT_TRUE(checks.front().passed);
  EXPECT_EQ(checks.front().status, 200);
  const auto lines = log_messages(dir.path() / "slow.log", "slow");
  EXPECT_EQ(std::count_if(lines.begin(), lines.end(), is_check_line), 1) << "and logged";
}

// A health change goes out as a webhook POST (the endpoint's template, values JSON-escaped) and as
// an exec alert (the alert JSON on stdin), a trigger and then its resolution, off the check path.
TEST(monitor_command, a_health_change_is_sent_as_a_webhook_and_an_exec_alert_trigger_then_resolution) {
  service s;
  scratch_dir dir;
  std::mutex hooks_mutex;  // guards hooks: the receiver answers on its own threads
  std::vector<scripted_request> hooks;
  scripted_http_server receiver([&](const scripted_request& r) {
    std::lock_guard lock(hooks_mutex);
    hooks.push_back(r);
    return scripted_reply::respond(200, "ok");
  });
  auto hook_bodies = [&] {
    std::lock_guard lock(hooks_mutex);
    std::vector<std::string> bodies;
    for (const auto& h : hooks) bodies.push_back(h.body);
    return bodies;
  };
  const auto exec_out = dir.path() / "exec.jsonl";
  const auto file = write_monitor_file(
      dir.path() / "alerts.yaml",
      "endpoints:\n"
      "  - name: flip\n"
      "    url: " +
          s.url("/flip") +
          "\n"
          "    interval: 100ms\n"
          "    timeout: 2s\n"
          "    conditions: [\"[STATUS] == 200\"]\n"
          "    failure-threshold: 2\n"
          "    success-threshold: 1\n"
          "    alerts:\n"
          "      - type: webhook\n"
          "        url: " +
          receiver.url("/hook") +
          "\n"
          "        template: '{\"text\": \"[ENDPOINT_NAME] is [STATE]: [ALERT_TRIGGERED_OR_RESOLVED]\", "
          "\"why\": \"[FAILED_CONDITIONS]\"}'\n"
          "      - type: exec\n"
          "        command: [/bin/sh, -c, 'cat >> " +
          exec_out.string() + "; echo >> " + exec_out.string() + "']\n");
  const auto log = dir.path() / "alerts.log";
  child_process monitor(monitor_args(file), dir.path() / "run");
  ASSERT_TRUE(wait_for([&] { return count_if_any(log_messages(log, "flip"), "pass:") >= 2; }, 5s)) << monitor.err();
  EXPECT_TRUE(hook_bodies().empty()) << "unknown -> up is no alert";
  s.fail(true);
  ASSERT_TRUE(wait_for([&] { return hook_bodies().size() >= 1; }, 5s)) << "no trigger arrived; " << monitor.err();
  s.fail(false);
  ASSERT_TRUE(wait_for([&] { return hook_bodies().size() >= 2; }, 5s)) << "no resolution arrived; " << monitor.err();
  monitor.signal(SIGTERM);
  auto status = monitor.wait(10s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 143) << monitor.err();

  const auto bodies = hook_bodies();
  ASSERT_EQ(bodies.size(), 2u);
  auto trigger = nlohmann::json::parse(bodies[0], nullptr, false);
  auto resolution = nlohmann::json::parse(bodies[1], nullptr, false);
  ASSERT_FALSE(trigger.is_discarded()) << bodies[0];
  ASSERT_FALSE(resolution.is_discarded()) << bodies[1];
  EXPECT_EQ(trigger["text"], "flip is down: TRIGGERED");
  EXPECT_NE(trigger["why"].get<std::string>().find("[STATUS] (500) == 200"), std::string::npos) << bodies[0];
  EXPECT_EQ(resolution["text"], "flip is up: RESOLVED");
  {
    std::lock_guard lock(hooks_mutex);
    EXPECT_EQ(hooks[0].method, "POST");
    EXPECT_EQ(hooks[0].header("Content-Type").value_or(""), "application/json");
  }
  // The exec alert read the same two events, as JSON, on its stdin.
  std::vector<nlohmann::json> execs;
  std::istringstream lines(testing::read_file(exec_out));
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) execs.push_back(nlohmann::json::parse(line, nullptr, false));
  }
  ASSERT_EQ(execs.size(), 2u) << testing::read_file(exec_out);
  EXPECT_EQ(execs[0]["endpoint"], "flip");
  EXPECT_EQ(execs[0]["event"], "TRIGGERED");
  EXPECT_EQ(execs[0]["state"], "down");
  EXPECT_EQ(execs[1]["event"], "RESOLVED");
  EXPECT_EQ(execs[1]["state"], "up");
  EXPECT_EQ(count_if_any(log_messages(log, "alerts"), "4 sent, 0 failed, 0 dropped"), 1u) << testing::read_file(log);
}

TEST(monitor_command, a_restart_after_sigkill_keeps_the_down_streak) {
  service s;
  scratch_dir dir;
  const auto file = write_monitor_file(dir.path() / "m.yaml", two_endpoints(s));
  const auto db = dir.path() / "m.db";
  const auto log = dir.path() / "m.log";
  {
    child_process first(monitor_args(file), dir.path() / "first");
    ASSERT_TRUE(wait_for(
        [&] {
          monitor::history_store store(db.string());
          auto states = store.load_states();
          return states.count("bad") == 1 && states.at("bad").state == monitor::health::down;
        },
        5s))
        << first.err();
    first.signal(SIGKILL);
    ASSERT_TRUE(first.wait(5s).has_value());
  }
  // What the killed run committed: the restart must go on from exactly this.
  const monitor::health_state at_kill = monitor::history_store(db.string()).load_states().at("bad");
  ASSERT_EQ(at_kill.state, monitor::health::down);
  const std::size_t lines_before = log_messages(log, "bad").size();

  child_process second(monitor_args(file), dir.path() / "second");
  ASSERT_TRUE(wait_for([&] { return log_messages(log, "bad").size() >= lines_before + 5; }, 5s)) << second.err();
  second.signal(SIGINT);
  auto status = second.wait(5s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 130) << second.err();
  EXPECT_NE(second.err().find("2 restored"), std::string::npos) << second.err();

  const auto all = log_messages(log, "bad");
  const std::vector<std::string> after(all.begin() + static_cast<long>(lines_before), all.end());
  EXPECT_EQ(count_if_any(after, "-> "), 0u) << "restored as down, the restart must not change bad's state again";
  const auto checks_after = static_cast<std::uint64_t>(std::count_if(after.begin(), after.end(), is_check_line));
  ASSERT_GE(checks_after, 1u);
  monitor::history_store store(db.string());
  const auto bad = store.load_states().at("bad");
  EXPECT_EQ(bad.state, monitor::health::down);
  EXPECT_EQ(bad.checks, at_kill.checks + checks_after) << "the check count did not go on from the killed run's";
  EXPECT_EQ(bad.failure_streak, at_kill.failure_streak + static_cast<int>(checks_after))
      << "the down-streak did not survive the restart";
}

TEST(monitor_command, a_bad_file_is_every_error_as_file_line_column_and_exit_2) {
  scratch_dir dir;
  const auto file = write_monitor_file(dir.path() / "bad.yaml",
                                       "endpoints:\n"
                                       "  - name: a\n"
                                       "    url: http://127.0.0.1:1/\n"
                                       "    intervall: 10s\n"
                                       "    conditions: [\"[STATUS] 200\"]\n");
  auto r = run_process(monitor_args(file), 10s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  const std::string where = file.string() + ":4:5: ";
  EXPECT_NE(r.err.find(where), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("intervall"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(file.string() + ":5:"), std::string::npos) << "every error, not only the first: " << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "bad.db")) << "a bad file must not create a history";

  // A certificate condition on a plain http:// endpoint would fail on every check: refused at load.
  const auto plain = write_monitor_file(dir.path() / "plain.yaml",
                                        "endpoints:\n"
                                        "  - name: web\n"
                                        "    url: http://127.0.0.1:1/\n"
                                        "    conditions: [\"[CERTIFICATE_EXPIRATION] > 72h\"]\n");
  r = run_process(monitor_args(plain), 10s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(plain.string() + ":2:5: endpoint 'web'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("needs an https:// URL"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "plain.db")) << "a refused file must not create a history";

  r = run_process(monitor_args(dir.path() / "missing.yaml"), 10s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
}

TEST(monitor_command, history_prints_an_endpoints_checks_as_valid_escaped_jsonl_and_text) {
  service s;
  scratch_dir dir;
  const auto file = write_monitor_file(dir.path() / "h.yaml", two_endpoints(s));
  const auto db = dir.path() / "h.db";
  {
    child_process monitor(monitor_args(file, {"--no-log", "-q"}), dir.path() / "run");
    ASSERT_TRUE(wait_for(
        [&] {
          monitor::history_store store(db.string());
          return store.checks("bad", {}).size() >= 3;
        },
        5s))
        << monitor.err();
    monitor.signal(SIGTERM);
    auto status = monitor.wait(5s);
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(*status, 143);
    EXPECT_EQ(monitor.err(), "") << "-q: nothing on stderr";
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "h.log")) << "--no-log wrote a log";
  }
  const std::string bin = binary_path().string();
  auto r = run_process({bin, "monitor", "history", "bad", "--db", db.string(), "--json"}, 10s);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::size_t count = 0;
  for (std::string line; std::getline(lines, line);) {
    ++count;
    for (unsigned char c : line) ASSERT_LT(c, 0x7f) << "JSONL is ASCII: " << line;
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    EXPECT_EQ(j["endpoint"], "bad");
    EXPECT_EQ(j["status"], 500);
    EXPECT_EQ(j["passed"], false);
    EXPECT_LE(j["due_ms"].get<long long>(), j["started_ms"].get<long long>());
    ASSERT_TRUE(j["failed_conditions"].is_array());
    EXPECT_EQ(j["failed_conditions"].size(), 2u) << line;
    EXPECT_NE(j["failed_conditions"][1]["seen"].get<std::string>().find("\x1b[2Jdown"), std::string::npos)
        << "the server's text, exactly, once parsed: " << line;
  }
  EXPECT_GE(count, 3u);

  r = run_process({bin, "monitor", "history", "bad", "--db", db.string()}, 10s);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("FAIL  500 server_error"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\\x1B[2Jdown"), std::string::npos) << "escaped, not dropped: " << r.out;
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << "server text reached the terminal raw";

  r = run_process({bin, "monitor", "history", "nosuch", "--db", db.string()}, 10s);
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("no endpoint 'nosuch'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("bad"), std::string::npos) << "names the known endpoints: " << r.err;

  r = run_process({bin, "monitor", "history", "bad", "--db", (dir.path() / "none.db").string()}, 10s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "none.db")) << "reading created a database";
}

// SIGHUP reads the file again. A file with a problem changes nothing (said on stderr, checks go on);
// a file that passes replaces the configuration: a new endpoint is checked, and an endpoint that was
// down before the reload stays down without a second change (its state comes back from the history).
TEST(monitor_command, sighup_keeps_the_running_file_when_the_new_one_is_bad_and_switches_when_it_passes) {
  service s;
  scratch_dir dir;
  const auto file = write_monitor_file(dir.path() / "services.yaml", two_endpoints(s));
  const auto log = dir.path() / "services.log";
  child_process monitor(monitor_args(file), dir.path() / "run");
  const auto checks_of = [&](const std::string& name) {
    const auto lines = log_messages(log, name);
    return static_cast<std::size_t>(std::count_if(lines.begin(), lines.end(), is_check_line));
  };
  ASSERT_TRUE(wait_for([&] { return count_if_any(log_messages(log, "bad"), "-> down") > 0; }, 5s))
      << "bad never went down; stderr: " << monitor.err();

  write_monitor_file(file, two_endpoints(s) + "    intervall: 1s\n");  // a typo: the whole file is refused
  monitor.signal(SIGHUP);
  ASSERT_TRUE(wait_for([&] { return monitor.err().find("the running configuration is kept") != std::string::npos; }, 5s))
      << monitor.err();
  // The verdict and its problem are one write, so the problem is there as soon as the verdict is.
  EXPECT_NE(monitor.err().find("unknown key 'intervall'"), std::string::npos) << monitor.err();
  const std::size_t before = checks_of("good");
  EXPECT_TRUE(wait_for([&] { return checks_of("good") >= before + 3; }, 5s)) << "checks stopped after a refused reload";

  write_monitor_file(file, two_endpoints(s) + "  - name: fresh\n    url: " + s.url("/ok") + "\n");
  monitor.signal(SIGHUP);
  EXPECT_TRUE(wait_for([&] { return checks_of("fresh") >= 3; }, 5s)) << "the reloaded file's new endpoint never ran: "
                                                                     << monitor.err();
  const std::size_t good_after = checks_of("good");
  EXPECT_TRUE(wait_for([&] { return checks_of("good") >= good_after + 2; }, 5s)) << "good stopped after the reload";
  monitor.signal(SIGTERM);
  const auto status = monitor.wait(5s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 143) << monitor.err();
  EXPECT_NE(monitor.err().find("reloaded: 3 endpoints"), std::string::npos) << monitor.err();
  EXPECT_EQ(count_if_any(log_messages(log, "bad"), "-> down"), 1u)
      << "bad's down state did not carry over the reload: a second change was logged";
  EXPECT_EQ(count_if_any(log_messages(log, "monitor"), "reload refused"), 1u);
}

// A header value with a control character other than CR, LF or NUL passed the loader, and the
// request check refused it after the banner (exit 2 naming -H); at a SIGHUP the running monitor
// exited. The loader refuses it at FILE:LINE:COL, so a start is exit 2 and a reload keeps running.
TEST(monitor_command, a_control_character_in_a_header_is_a_file_error_at_start_and_at_a_reload) {
  service s;
  scratch_dir dir;
  const std::string bad_header = "    headers:\n      X-A: \"a\\x01b\"\n";
  const auto bad = write_monitor_file(dir.path() / "bad.yaml", two_endpoints(s) + bad_header);
  auto r = run_process(monitor_args(bad), 10s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(bad.string() + ":13:12: the value of header 'X-A'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("must not contain a control character"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("-H:"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "bad.db")) << "a bad file must not create a history";

  const auto file = write_monitor_file(dir.path() / "services.yaml", two_endpoints(s));
  const auto log = dir.path() / "services.log";
  child_process monitor(monitor_args(file), dir.path() / "run");
  const auto checks_of_good = [&] {
    const auto lines = log_messages(log, "good");
    return static_cast<std::size_t>(std::count_if(lines.begin(), lines.end(), is_check_line));
  };
  ASSERT_TRUE(wait_for([&] { return checks_of_good() >= 2; }, 5s)) << monitor.err();
  write_monitor_file(file, two_endpoints(s) + bad_header);
  monitor.signal(SIGHUP);
  ASSERT_TRUE(
      wait_for([&] { return monitor.err().find("the running configuration is kept") != std::string::npos; }, 5s))
      << monitor.err();
  EXPECT_NE(monitor.err().find("must not contain a control character"), std::string::npos) << monitor.err();
  const std::size_t before = checks_of_good();
  EXPECT_TRUE(wait_for([&] { return checks_of_good() >= before + 3; }, 5s)) << "checks stopped after a refused reload";
  monitor.signal(SIGTERM);
  const auto status = monitor.wait(5s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 143) << monitor.err();
}

// A SIGHUP reload read the file with the start's stop test, which counts any pending stop signal: a
// second SIGHUP, pending while the watcher read (here a FIFO waiting for its writer), failed the reload
// as "interrupted while being read". Only SIGINT and SIGTERM end a reload's read; the second SIGHUP
// is the next reload.
TEST(monitor_command, a_second_sighup_during_a_reload_is_the_next_reload_not_an_interruption) {
  service s;
  scratch_dir dir;
  const auto first = write_monitor_file(dir.path() / "first.yaml", two_endpoints(s));
  const auto fifo = dir.path() / "next.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const auto file = dir.path() / "services.yaml";
  std::filesystem::create_symlink(first, file);
  const auto log = dir.path() / "services.log";
  child_process monitor(monitor_args(file), dir.path() / "run");
  ASSERT_TRUE(wait_for([&] { return !log_messages(log, "good").empty(); }, 5s)) << monitor.err();
  std::filesystem::remove(file);
  std::filesystem::create_symlink(fifo, file);
  const std::string next = two_endpoints(s) + "  - name: fresh\n    url: " + s.url("/ok") + "\n";
  const auto write_to_the_reader = [&] {  // once a reload has the FIFO open
    int writer = -1;
    if (!wait_for([&] { return (writer = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC)) >= 0; }, 5s)) {
      return false;
    }
    const bool whole = ::write(writer, next.data(), next.size()) == static_cast<ssize_t>(next.size());
    ::close(writer);
    return whole;
  };
  const auto reloads = [&] {
    const std::string err = monitor.err();
    std::size_t count = 0;
    for (auto at = err.find("reloaded: 3 endpoints"); at != std::string::npos; at = err.find("reloaded: 3", at + 1)) {
      ++count;
    }
    return count;
  };
  monitor.signal(SIGHUP);  // the reload waits on the FIFO for a writer
  std::this_thread::sleep_for(300ms);
  monitor.signal(SIGHUP);  // pending while the watcher reads
  std::this_thread::sleep_for(300ms);
  ASSERT_TRUE(write_to_the_reader()) << monitor.err();
  ASSERT_TRUE(wait_for([&] { return reloads() >= 1; }, 5s)) << monitor.err();
  EXPECT_EQ(monitor.err().find("interrupted"), std::string::npos) << monitor.err();
  EXPECT_EQ(monitor.err().find("the running configuration is kept"), std::string::npos) << monitor.err();
  ASSERT_TRUE(write_to_the_reader()) << "the second SIGHUP was not a reload: " << monitor.err();
  EXPECT_TRUE(wait_for([&] { return reloads() >= 2; }, 5s)) << monitor.err();
  monitor.signal(SIGTERM);
  const auto status = monitor.wait(5s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 143) << monitor.err();
  EXPECT_EQ(monitor.err().find("interrupted"), std::string::npos) << monitor.err();
}

// --log-max/--log-keep: the monitor's event log is rotated before it passes the size, with only
// --log-keep rotated files kept, and every file holds whole lines only.
TEST(monitor_command, log_max_rotates_the_event_log_keeping_log_keep_files_of_whole_lines) {
  service s;
  scratch_dir dir;
  const auto file = write_monitor_file(dir.path() / "services.yaml", two_endpoints(s));
  const auto log = dir.path() / "services.log";
  const auto numbered = [&](int k) { return std::filesystem::path(log.string() + "." + std::to_string(k)); };
  child_process monitor(monitor_args(file, {"--log-max", "1k", "--log-keep", "2"}), dir.path() / "run");
  EXPECT_TRUE(wait_for([&] { return std::filesystem::exists(numbered(2)); }, 10s)) << monitor.err();
  const auto first_rotated = testing::read_file(numbered(2));
  EXPECT_TRUE(wait_for([&] { return testing::read_file(numbered(2)) != first_rotated; }, 10s))
      << "the log rotated twice and then stopped rotating";
  monitor.signal(SIGTERM);
  const auto status = monitor.wait(5s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 143) << monitor.err();

  EXPECT_FALSE(std::filesystem::exists(numbered(3))) << "more than --log-keep rotated files";
  const std::regex whole(R"(^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}\] \[[^\]]+\] .*$)");
  for (const auto& path : {log, numbered(1), numbered(2)}) {
    const std::string text = testing::read_file(path);
    EXPECT_LE(text.size(), 1024u) << path;
    ASSERT_FALSE(text.empty()) << path;
    EXPECT_EQ(text.back(), '\n') << path << " ends inside a line";
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
      if (line.starts_with("--- serentak monitor")) continue;
      EXPECT_TRUE(std::regex_match(line, whole)) << path << ": " << line;
    }
  }
}

// retries: a check that fails once and passes on its retry is recorded as passed but judged
// "passed after a retry", which makes the endpoint degraded, not up.
TEST(monitor_command, a_check_that_passes_only_after_a_retry_makes_the_endpoint_degraded) {
  std::atomic<int> requests{0};
  scripted_http_server flaky([&](const scripted_request&) {
    return requests.fetch_add(1) % 2 == 0 ? scripted_reply::respond(503, "busy")
                                          : scripted_reply::respond(200, R"({"status":"ok"})");
  });
  scratch_dir dir;
  const auto file = write_monitor_file(dir.path() / "flaky.yaml",
                                       "endpoints:\n"
                                       "  - name: flaky\n"
                                       "    url: " +
                                           flaky.url("/") +
                                           "\n"
                                           "    interval: 100ms\n"
                                           "    retries: 1\n"
                                           "    failure-threshold: 2\n"
                                           "    conditions: [\"[STATUS] == 200\"]\n");
  const auto log = dir.path() / "flaky.log";
  child_process monitor(monitor_args(file), dir.path() / "run");
  EXPECT_TRUE(wait_for(
      [&] {
        const auto lines = log_messages(log, "flaky");
        return count_if_any(lines, "-> degraded") > 0 && count_if_any(lines, "DEGRADED (passed after a retry)") >= 2;
      },
      10s))
      << monitor.err();
  monitor.signal(SIGTERM);
  const auto status = monitor.wait(5s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 143) << monitor.err();

  const auto lines = log_messages(log, "flaky");
  EXPECT_GE(count_if_any(lines, "DEGRADED (passed after a retry)"), 2u);
  EXPECT_EQ(count_if_any(lines, "FAIL:"), 0u) << "a retried check was judged on its first attempt";
  monitor::history_store store((dir.path() / "flaky.db").string());
  const auto checks = store.checks("flaky", {});
  ASSERT_GE(checks.size(), 2u);
  for (const auto& r : checks) {
    EXPECT_TRUE(r.passed);
    EXPECT_EQ(r.status, 200);
  }
  EXPECT_EQ(store.load_states().at("flaky").state, monitor::health::degraded);
}

// --metrics: Prometheus text at /metrics while the checks run: each endpoint's state, its checks by
// outcome, the lag histogram counting every check, label values escaped; read-only.
TEST(monitor_command, metrics_serves_prometheus_text_of_states_outcomes_and_lag) {
  service s;
  scratch_dir dir;
  const auto file =
      write_monitor_file(dir.path() / "services.yaml",
                         two_endpoints(s) + "  - name: 'quote\" back\\slash'\n    url: " + s.url("/ok") + "\n");
  child_process monitor(monitor_args(file, {"--metrics", "127.0.0.1:0", "--no-log"}), dir.path() / "run");
  const std::regex url_line("metrics on http://127\\.0\\.0\\.1:([0-9]+)/metrics");
  unsigned short port = 0;
  ASSERT_TRUE(wait_for(
      [&] {
        std::smatch m;
        const std::string err = monitor.err();
        if (!std::regex_search(err, m, url_line)) return false;
        port = static_cast<unsigned short>(std::stoi(m[1].str()));
        return true;
      },
      10s))
      << monitor.err();
  std::string text;
  ASSERT_TRUE(wait_for(
      [&] {
        text = testing::body_of(testing::http_request(port, "GET", "/metrics"));
        return text.find(R"(serentak_monitor_endpoint_state{endpoint="bad",group="",state="down"} 1)") != std::string::npos;
      },
      10s))
      << text;
  const std::string response = testing::http_request(port, "GET", "/metrics");
  EXPECT_NE(response.find("Content-Type: text/plain; version=0.0.4"), std::string::npos) << response;
  text = testing::body_of(response);
  EXPECT_NE(text.find(R"(serentak_monitor_endpoint_state{endpoint="good",group="",state="up"} 1)"), std::string::npos);
  EXPECT_NE(text.find(R"(endpoint="quote\" back\\slash")"), std::string::npos) << "label not escaped: " << text;
  // Every check is counted once by outcome and once in the lag histogram.
  std::uint64_t by_outcome = 0;
  std::uint64_t lag_count = 0;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("serentak_monitor_checks_total{")) by_outcome += std::stoull(line.substr(line.rfind(' ') + 1));
    if (line.starts_with("serentak_monitor_schedule_lag_seconds_count ")) lag_count = std::stoull(line.substr(line.rfind(' ') + 1));
  }
  EXPECT_GT(lag_count, 3u);
  EXPECT_EQ(by_outcome, lag_count) << text;
  EXPECT_NE(text.find(R"(serentak_monitor_skipped_ticks_total{reason="busy"})"), std::string::npos);
  EXPECT_EQ(testing::status_line_of(testing::http_request(port, "POST", "/metrics")), "HTTP/1.1 405 Method Not Allowed");
  EXPECT_EQ(testing::status_line_of(testing::http_request(port, "GET", "/")), "HTTP/1.1 404 Not Found");
  monitor.signal(SIGTERM);
  const auto status = monitor.wait(5s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 143) << monitor.err();
}

}  // namespace
}  // namespace serentak
