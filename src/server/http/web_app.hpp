#pragma once
// The seam through which an application (the monitor's dashboard, src/web) answers every request
// of a server instead of the scenario router, on the same sessions, limits and timeouts. An
// ordinary request gets a whole response_plan; a request the app wants to stream to (Server-Sent
// Events) hands the connection over: the session gives up its socket to adopt(), which owns it
// from then on (as Beast's websocket upgrade does), and the session ends.
// Threads: answer() and adopt() run on the I/O threads, concurrently (answer() also on the server's
// render thread, for a request answers_slowly() names): an app locks what it shares.
// Set in server_config::app; when it is null the session's hot path is unchanged.

#include <string_view>

#include <boost/asio/ip/tcp.hpp>

#include "server/routes/response_plan.hpp"

namespace serentak::server {

class connection_registry;

// What an app may read of a request. The views live only as long as the call.
struct app_request {
  std::string_view method;
  std::string_view target;         // "/path?query", as sent
  std::string_view authorization;  // the Authorization field; "" when absent
  std::string_view last_event_id;  // the Last-Event-ID field; "" when absent
  unsigned version = 11;           // 10 or 11
};

struct app_answer {
  response_plan plan;   // the response, when stream is false
  bool stream = false;  // true: adopt() takes the connection (plain http only; over TLS: 501)
};

class web_app {
 public:
  virtual ~web_app() = default;
  virtual app_answer answer(const app_request& request) = 0;
  // True when answer() may block on this request (a database read): the session then calls it on
  // the server's render thread instead of its I/O thread, so the other connections of that thread
  // are not held up. Such an answer never streams. Called on the I/O threads, like answer().
  virtual bool answers_slowly(const app_request& /*request*/) const { return false; }
  // Takes the connection of a request answer() marked stream. registry is the server's: the app
  // adds what owns the socket to it, so stop() closes the stream like any session.
  virtual void adopt(boost::asio::ip::tcp::socket socket, const app_request& request,
                     connection_registry& registry) = 0;
};

}  // namespace serentak::server
