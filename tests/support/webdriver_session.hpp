#pragma once
// A headless Chromium driven through chromedriver's W3C WebDriver HTTP API (libcurl + JSON), for
// the dashboard's browser tests: chromedriver is started on a free loopback port in the test's
// scratch folder, a session opened with --headless=new, and both end with the object. Blocking;
// one per test. Throws std::runtime_error with a clear message when chromedriver or Chromium is
// missing or refuses.

#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "support/child_process.hpp"

namespace serentak::testing {

inline constexpr const char* chromedriver_path = "/usr/bin/chromedriver";

class webdriver_session {
 public:
  explicit webdriver_session(const std::filesystem::path& scratch);
  ~webdriver_session();
  webdriver_session(const webdriver_session&) = delete;
  webdriver_session& operator=(const webdriver_session&) = delete;

  void navigate(const std::string& url);
  // Runs script (a function body; "return ..." gives the value) in the page.
  nlohmann::json execute(const std::string& script);
  // The browser console's entries since the last call: [{"level", "message", ...}].
  nlohmann::json browser_log();

 private:
  nlohmann::json call(const std::string& method, const std::string& path, const nlohmann::json& body);

  std::optional<child_process> driver_;
  unsigned short port_ = 0;
  std::string session_;
};

}  // namespace serentak::testing
