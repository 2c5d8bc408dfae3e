// The dashboard in a real browser (issue 17): Debian's headless Chromium, driven through
// chromedriver's WebDriver API, loads the page of a running `serentak monitor --web` and is
// asserted on as a user sees it: no console error; the endpoint whose route the test flips to 500
// shows down within 2 s of the check that failed, and up again within 2 s of the one that passed;
// an endpoint whose name and failure message are markup shows them as text, no <img> is created and
// its onerror never runs. chromedriver missing is a failure with a clear message, not a skip.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/dashboard_harness.hpp"
#include "support/file_text.hpp"
#include "support/polling.hpp"
#include "support/webdriver_session.hpp"

namespace serentak {
namespace {

using namespace std::chrono_literals;
using testing::dashboard_harness;
using testing::webdriver_session;

// The state the page shows for the endpoint named name ("" when it has no row).
std::string shown_state(webdriver_session& browser, const std::string& name) {
  const nlohmann::json v =
      browser.execute("const name = " + nlohmann::json(name).dump() +
                      ";"
                      "for (const row of document.querySelectorAll('.row')) {"
                      "  if (row.getAttribute('data-name') === name) return row.getAttribute('data-state');"
                      "}"
                      "return '';");
  return v.is_string() ? v.get<std::string>() : "";
}

// Polls the page until the endpoint shows state; when it did, the time it was seen.
std::optional<std::chrono::steady_clock::time_point> seen_at(webdriver_session& browser, const std::string& name,
                                                             const std::string& state,
                                                             std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (shown_state(browser, name) == state) return std::chrono::steady_clock::now();
    std::this_thread::sleep_for(50ms);
  }
  return std::nullopt;
}

// A headless Chromium session in dir (chromedriver), or null with browser_failure saying why.
std::string browser_failure;
std::unique_ptr<webdriver_session> open_browser(const std::filesystem::path& dir) {
  try {
    return std::make_unique<webdriver_session>(dir);
  } catch (const std::runtime_error& e) {
    browser_failure = e.what();
    return nullptr;
  }
}

std::string severe_entries(const nlohmann::json& log) {
  std::string out;
  for (const nlohmann::json& entry : log) {
    if (entry.value("level", "") == "SEVERE") out += entry.value("message", "") + "\n";
  }
  return out;
}

TEST(dashboard_browser, the_page_shows_a_fault_within_2s_renders_hostile_text_as_text_and_logs_no_error) {
  dashboard_harness h({"--lang", "en"});
  ASSERT_NE(h.port(), 0) << "no dashboard URL on stderr: " << h.monitor().err();
  std::unique_ptr<webdriver_session> browser = open_browser(h.dir());
  ASSERT_TRUE(browser) << "cannot drive Chromium: " << browser_failure;

  browser->navigate(h.url("/"));
  ASSERT_TRUE(
      testing::wait_for([&] { return browser->execute("return document.querySelectorAll('.row').length;") == 3; }, 10s))
      << "the page never showed the three endpoints";
  ASSERT_TRUE(seen_at(*browser, "flip", "up", 10s)) << "flip never showed up";

  h.fail(true);
  const auto down_seen = seen_at(*browser, "flip", "down", 5s);
  ASSERT_TRUE(down_seen) << "flip never showed down";
  const auto failed_check = h.first_flipped_answer();
  ASSERT_TRUE(failed_check);
  EXPECT_LE(*down_seen - *failed_check, 2s)
      << "down showed " << std::chrono::duration_cast<std::chrono::milliseconds>(*down_seen - *failed_check).count()
      << " ms after the failing check";
  EXPECT_EQ(browser->execute("return document.getElementById('count-down').textContent;"), "2")
      << "the overview counts flip and the hostile endpoint as down";
  EXPECT_EQ(browser->execute("return document.querySelector('.row').getAttribute('data-state');"), "down")
      << "endpoints that are not up come first";

  h.fail(false);
  const auto up_seen = seen_at(*browser, "flip", "up", 5s);
  ASSERT_TRUE(up_seen) << "flip never came back up";
  const auto passed_check = h.first_flipped_answer();
  ASSERT_TRUE(passed_check);
  EXPECT_LE(*up_seen - *passed_check, 2s);

  // The hostile name and message are on the page as text; nothing of them ran or became markup.
  EXPECT_EQ(shown_state(*browser, testing::hostile_name), "down");
  const nlohmann::json names = browser->execute(
      "return Array.from(document.querySelectorAll('.row .name')).map(function (e) { return e.textContent; });");
  EXPECT_NE(std::find(names.begin(), names.end(), testing::hostile_name), names.end()) << names.dump();
  EXPECT_EQ(browser->execute("return document.body.textContent.indexOf('onerror=\"window.__pwned=2\"') >= 0;"), true)
      << "the hostile body shows as the value seen";
  EXPECT_EQ(browser->execute("return document.querySelectorAll('img').length;"), 0);
  EXPECT_EQ(browser->execute("return typeof window.__pwned;"), "undefined");

  // The search box narrows the list to what matches.
  browser->execute(
      "const s = document.getElementById('search'); s.value = 'stead'; s.dispatchEvent(new Event('input'));");
  EXPECT_TRUE(
      testing::wait_for([&] { return browser->execute("return document.querySelectorAll('.row').length;") == 1; }, 5s));

  EXPECT_EQ(severe_entries(browser->browser_log()), "") << "console errors on the page";
}

// 10,000 endpoints (interval 1 h, so few checks meanwhile): the page counts them all from the first
// snapshot, keeps only the visible rows in the DOM, and a search finds the last one.
TEST(dashboard_browser, ten_thousand_endpoints_load_into_a_windowed_list_and_search_finds_one) {
  testing::serve_process serve({"--quiet", "--delay-scale", "0"});
  testing::scratch_dir dir;
  std::string file = "defaults:\n  interval: 1h\n  timeout: 5s\nendpoints:\n";
  for (int i = 0; i < 10000; ++i) {
    file += "  - name: svc-" + std::to_string(100000 + i).substr(1) + "\n    url: " + serve.base_url() + "/status/ok\n";
  }
  testing::write_file(dir.path() / "big.yaml", file);
  testing::child_process monitor({testing::binary_path().string(), "monitor", (dir.path() / "big.yaml").string(),
                                  "--web", "127.0.0.1:0", "--no-log", "-q"},
                                 dir.path() / "monitor");
  unsigned short port = 0;
  ASSERT_TRUE(testing::wait_for(
      [&] {
        const std::string err = monitor.err();
        const auto at = err.find("dashboard on http://127.0.0.1:");
        if (at == std::string::npos) return false;
        port = static_cast<unsigned short>(std::stoi(err.substr(at + 30)));
        return true;
      },
      60s))  // 10,000 endpoints under a sanitizer on a loaded CI machine: a readiness bound, not a speed test
      << monitor.err();
  std::unique_ptr<webdriver_session> browser = open_browser(dir.path());
  ASSERT_TRUE(browser) << "cannot drive Chromium: " << browser_failure;
  // A fresh browser's first navigation spends ~1.3 s starting its renderer: warm it on /healthz,
  // so what is timed is the dashboard's page, not Chromium's start.
  browser->navigate("http://127.0.0.1:" + std::to_string(port) + "/healthz");
  const auto start = std::chrono::steady_clock::now();
  browser->navigate("http://127.0.0.1:" + std::to_string(port) + "/");
  const auto navigated = std::chrono::steady_clock::now() - start;
  const std::string counted =
      "return ['up', 'degraded', 'down', 'unknown'].reduce(function (n, k) {"
      "  return n + Number(document.getElementById('count-' + k).textContent); }, 0);";
  ASSERT_TRUE(testing::wait_for([&] { return browser->execute(counted) == 10000; }, 10s))
      << "the overview never counted 10,000 endpoints";
  const auto usable = std::chrono::steady_clock::now() - start;
  // A sanity bound, not the speed target (1 s: the browser's own figure is printed below and kept in
  // bench/RESULTS.md): a sanitizer's serentak serves the 2.4 MB snapshot several times slower, and
  // TSan on a loaded CI machine took 2.01 s.
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
  constexpr auto usable_bound = 8s;
#else
  constexpr auto usable_bound = 2s;
#endif
  EXPECT_LE(usable, usable_bound) << std::chrono::duration_cast<std::chrono::milliseconds>(usable).count()
                                  << " ms from navigation to all 10,000 counted";
  std::cerr << "[ dashboard ] 10,000 endpoints counted on the page "
            << std::chrono::duration_cast<std::chrono::milliseconds>(usable).count() << " ms after navigation began ("
            << std::chrono::duration_cast<std::chrono::milliseconds>(navigated).count() << " ms to the load event)\n";
  const nlohmann::json rows = browser->execute("return document.querySelectorAll('.row').length;");
  EXPECT_GT(rows.get<int>(), 0);
  EXPECT_LT(rows.get<int>(), 100) << "only the visible rows are in the DOM";

  browser->execute(
      "const s = document.getElementById('search'); s.value = 'svc-09999'; s.dispatchEvent(new Event('input'));");
  EXPECT_TRUE(testing::wait_for(
      [&] {
        return browser->execute(
                   "return Array.from(document.querySelectorAll('.row .name')).map(function (e) {"
                   "  return e.textContent; }).join(',');") == "svc-09999";
      },
      5s));
  EXPECT_EQ(severe_entries(browser->browser_log()), "");
  monitor.signal(SIGTERM);
  EXPECT_EQ(monitor.wait(10s), std::optional<int>(143));
}

// `serentak pizza --every 1s --web` (the pizza board): the seed's orders under their statuses, the
// kitchen's order of columns, a colour per status, and an item that is markup shown as text.
TEST(dashboard_browser, the_pizza_board_shows_the_seed_orders_under_their_statuses_and_markup_as_text) {
  const std::string hostile_item = "<img src=x onerror=\"window.__pwned=3\">";
  testing::theme_dashboard_harness h("pizza", {"ORD-101", "ORD-103", "ORD-999", "ORD-102", "ORD-105", hostile_item});
  ASSERT_NE(h.port(), 0) << "no dashboard URL on stderr: " << h.command().err();
  std::unique_ptr<webdriver_session> browser = open_browser(h.dir());
  ASSERT_TRUE(browser) << "cannot drive Chromium: " << browser_failure;
  browser->navigate(h.url("/"));
  const std::string columns =
      "const out = [];"
      "for (const c of document.querySelectorAll('#board .column')) {"
      "  out.push([c.getAttribute('data-status'), Array.from(c.querySelectorAll('.card')).map(function (x) {"
      "    return x.getAttribute('data-name'); }).sort()]);"
      "}"
      "return out;";
  const nlohmann::json expected = nlohmann::json::array({
      nlohmann::json::array({"Preparing", {"ORD-103"}}),
      nlohmann::json::array({"Baking", {"ORD-101", "ORD-105"}}),
      nlohmann::json::array({"Out for Delivery", {"ORD-102"}}),
      nlohmann::json::array({"", {hostile_item, "ORD-999"}}),
  });
  nlohmann::json shown;
  EXPECT_TRUE(testing::wait_for(
      [&] {
        shown = browser->execute(columns);
        return shown == expected;
      },
      10s))
      << shown.dump();
  EXPECT_EQ(browser->execute("return document.getElementById('list').hidden;"), true);
  // A colour per status: the columns' top borders differ.
  const nlohmann::json colours = browser->execute(
      "return Array.from(document.querySelectorAll('#board .column')).map(function (c) {"
      "  return getComputedStyle(c).borderTopColor; });");
  ASSERT_EQ(colours.size(), 4U) << colours.dump();
  for (std::size_t i = 0; i < colours.size(); ++i) {
    for (std::size_t j = i + 1; j < colours.size(); ++j) EXPECT_NE(colours[i], colours[j]) << colours.dump();
  }
  EXPECT_EQ(browser->execute("return document.querySelector('.card[data-name=\"ORD-101\"] .customer').textContent;"),
            "Budi");
  EXPECT_EQ(browser->execute("return document.body.textContent.indexOf('onerror=\"window.__pwned=3\"') >= 0;"), true);
  EXPECT_EQ(browser->execute("return document.querySelectorAll('img').length;"), 0);
  EXPECT_EQ(browser->execute("return typeof window.__pwned;"), "undefined");
  EXPECT_EQ(severe_entries(browser->browser_log()), "") << "console errors on the page";
}

// `serentak weather --every 1s --web --lang en` (the weather tiles): a tile per city with its
// temperature and condition; the city the seed does not know is down with the theme's message.
TEST(dashboard_browser, the_weather_tiles_show_each_city_with_its_temperature_and_condition) {
  testing::theme_dashboard_harness h("weather", {"--lang", "en"});
  ASSERT_NE(h.port(), 0) << "no dashboard URL on stderr: " << h.command().err();
  std::unique_ptr<webdriver_session> browser = open_browser(h.dir());
  ASSERT_TRUE(browser) << "cannot drive Chromium: " << browser_failure;
  browser->navigate(h.url("/"));
  const std::string tiles =
      "return Array.from(document.querySelectorAll('#board .tile')).map(function (t) {"
      "  const temp = t.querySelector('.temp'); const cond = t.querySelector('.condition');"
      "  return [t.getAttribute('data-name'), t.className, temp ? temp.textContent : '', cond ? cond.textContent : ''];"
      "});";
  const nlohmann::json expected = nlohmann::json::array({
      nlohmann::json::array({"BANDUNG", "tile state-up", "24 °C", "Hujan Ringan"}),
      nlohmann::json::array({"DENPASAR", "tile state-up", "31 °C", "Cerah"}),
      nlohmann::json::array({"JAKARTA", "tile state-up", "32 °C", "Cerah Berawan"}),
      nlohmann::json::array({"KUALA_LUMPUR", "tile state-down", "", ""}),
      nlohmann::json::array({"SURABAYA", "tile state-up", "34 °C", "Cerah"}),
  });
  nlohmann::json shown;
  EXPECT_TRUE(testing::wait_for(
      [&] {
        shown = browser->execute(tiles);
        return shown == expected;
      },
      10s))
      << shown.dump();
  const nlohmann::json message =
      browser->execute("return document.querySelector('.tile[data-name=\"KUALA_LUMPUR\"] .message').textContent;");
  EXPECT_NE(message.get<std::string>().find("KUALA_LUMPUR"), std::string::npos) << message.dump();
  EXPECT_EQ(severe_entries(browser->browser_log()), "") << "console errors on the page";
}

}  // namespace
}  // namespace serentak
