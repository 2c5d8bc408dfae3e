#pragma once
// A running `serentak monitor FILE --web 127.0.0.1:0` for the dashboard tests, over three endpoints
// checked every 200 ms: "steady" on a real `serentak serve` (/status/ok), "flip" on a scripted
// server that answers 200 until the test flips it to 500 (down after 1 failure, up after 1 pass),
// and one whose name and failure message are markup (hostile_name). Everything lives in a scratch
// folder and is stopped by the destructor. Also a reader of Server-Sent Events over a raw socket.

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "support/child_process.hpp"
#include "support/raw_client.hpp"
#include "support/scripted_http_server.hpp"
#include "support/serve_process.hpp"
#include "support/test_paths.hpp"

namespace serentak::testing {

inline constexpr const char* hostile_name = "<img src=x onerror=\"window.__pwned=1\">";
inline constexpr const char* hostile_body = "<img src=x onerror=\"window.__pwned=2\">";

class dashboard_harness {
 public:
  // extra_args follow "serentak monitor FILE --web 127.0.0.1:0 --no-log"; waits up to 15 s for the
  // dashboard's URL on stderr (port() is 0 when it never came).
  explicit dashboard_harness(std::vector<std::string> extra_args = {});
  ~dashboard_harness();

  unsigned short port() const noexcept { return port_; }
  std::string url(const std::string& target) const;  // "http://127.0.0.1:<port>" + target
  // Flips the flip route; first_flipped_answer() then tells when it first answered the new way.
  void fail(bool on);
  std::optional<std::chrono::steady_clock::time_point> first_flipped_answer() const;
  child_process& monitor() { return *monitor_; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  // Requests the flip route has answered so far.
  std::size_t flip_requests() const;

 private:
  std::atomic<bool> failing_{false};
  mutable std::mutex flip_mutex_;  // guards flipped_at_
  std::optional<std::chrono::steady_clock::time_point> flipped_at_;
  scratch_dir dir_;
  scripted_http_server service_;
  serve_process serve_;
  std::optional<child_process> monitor_;
  unsigned short port_ = 0;
};

// A running `serentak THEME --base SERVE --every 1s --web 127.0.0.1:0 --no-log` against a real
// `serentak serve` (no delays), both in a scratch folder, stopped by the destructor (SIGTERM to the
// command's PID, then the server's). Waits up to 15 s for the dashboard's URL (port() 0: it never came).
class theme_dashboard_harness {
 public:
  theme_dashboard_harness(const std::string& theme, std::vector<std::string> extra_args = {});
  ~theme_dashboard_harness();

  unsigned short port() const noexcept { return port_; }
  std::string url(const std::string& target) const;  // "http://127.0.0.1:<port>" + target
  child_process& command() { return *command_; }
  const std::filesystem::path& dir() const { return dir_.path(); }

 private:
  scratch_dir dir_;
  serve_process serve_;
  std::optional<child_process> command_;
  unsigned short port_ = 0;
};

// One plain request over a fresh connection ("Connection: close"); the whole response, or "".
std::string http_request(unsigned short port, const std::string& method, const std::string& target,
                         const std::vector<std::string>& headers = {});

struct sse_event {
  std::string id;
  std::string event;
  std::string data;
};

// A GET /events held open; next() hands back the events in order as they arrive.
class sse_reader {
 public:
  sse_reader(unsigned short port, const std::string& target = "/events", const std::vector<std::string>& headers = {});
  const std::string& head() const noexcept { return head_; }  // "" until the head arrived
  // The next event (comments skipped), waiting up to timeout; nullopt on timeout or end.
  std::optional<sse_event> next(std::chrono::milliseconds timeout);

 private:
  raw_client client_;
  std::size_t used_ = 0;  // bytes of client_.received() already parsed
  std::string head_;
};

}  // namespace serentak::testing
