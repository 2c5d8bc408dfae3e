// The dashboard in a real browser (issue 17): Debian's headless Chromium, driven through
// chromedriver's WebDriver API, loads the page of a running `serentak monitor --web` and is
// asserted on as a user sees it: no console error; the endpoint whose route the test flips to 500
// shows down within 2 s of the check that failed, and up again within 2 s of the one that passed;
// an endpoint whose name and failure message are markup shows them as text, no <img> is created and
// its onerror never runs. chromedriver missing is a failure with a clear message, not a skip.
#include <algorithm>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/dashboard_harness.hpp"
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
  std::unique_ptr<webdriver_session> browser;
  try {
    browser = std::make_unique<webdriver_session>(h.dir());
  } catch (const std::runtime_error& e) {
    FAIL() << "cannot drive Chromium: " << e.what();
  }

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

}  // namespace
}  // namespace serentak
