#pragma once
// The dashboard's routes on the mock server's HTTP code (server/http/web_app.hpp): the page and its
// two assets, the JSON API, the SVG badges, /healthz, and /events, whose connection is handed to an
// event_stream. Read-only: anything but GET and HEAD is 405. Every response carries the CSP and
// nosniff headers; API and stream answers are not cached. With a token, every data route
// (API, badges, events) needs it; the page and its assets (static, the same for everyone) and
// /healthz do not, so a browser can load the script that then sends the token. No access lines:
// a ?token= never reaches a log.
// Threads: answer() and adopt() run on any I/O thread (answer() for the history route on the
// server's render thread); what they share locks itself
// (dashboard_state, history_api) or is read-only.

#include <atomic>
#include <cstddef>
#include <string>

#include "server/http/web_app.hpp"
#include "web/dashboard_state.hpp"
#include "web/event_stream.hpp"
#include "web/history_api.hpp"

namespace serentak::web {

struct dashboard_options {
  std::string token;              // empty: no token needed (loopback only; the CLI enforces it)
  std::string lang = "en";        // "id" or "en": the page's labels
  std::string title = "serentak monitor";  // the page's title and heading ("serentak pizza")
  std::size_t max_streams = 256;  // open /events streams; past it, 503
  stream_timing timing;           // the streams' tick, keep-alive and write timeout
};

// The headers every answer carries (CSP without inline script or style, nosniff, no referrer).
inline constexpr std::string_view content_security_policy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; frame-ancestors 'none'";

class dashboard_app final : public server::web_app {
 public:
  // state and history must outlive the server this app is set on.
  dashboard_app(const dashboard_state& state, history_api* history, dashboard_options options);

  server::app_answer answer(const server::app_request& request) override;
  // The history route reads SQLite: answered on the server's render thread.
  bool answers_slowly(const server::app_request& request) const override;
  void adopt(boost::asio::ip::tcp::socket socket, const server::app_request& request,
             server::connection_registry& registry) override;

  // The head of an /events answer (no Content-Length: the stream ends when the connection does).
  static std::string stream_head(unsigned version);

 private:
  server::response_plan route(const server::app_request& request, std::string_view path, std::string_view query,
                              bool& stream);

  const dashboard_state& state_;
  history_api* history_;  // null: /history answers 503
  dashboard_options options_;
  const std::string page_;               // the HTML shell in options_.lang
  std::atomic<std::size_t> streams_{0};  // open event streams (each decrements on its end)
};

}  // namespace serentak::web
