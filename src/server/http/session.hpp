#pragma once
// One HTTP/1.1 connection of the mock server (Boost.Beast): read a request, ask the router for a
// response_plan, wait its delay on a steady_timer (watching for the peer to leave meanwhile),
// print its access line, deliver the response as the plan says (normally, or as a transport
// fault: reset, early close, truncated, dripped, huge, hang), and read the next request on the
// same connection (keep-alive) until the peer closes.
// Each session runs on its io_context's one thread, owns itself through shared_ptr (kept alive by its pending
// operation), and is registered in the connection_registry so stop() can close it from any thread.
// Only start_session() is public, so Beast stays out of the other translation units.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>

namespace boost::asio::ssl {
class context;
}

namespace serentak::server {

class router;
class connection_registry;
class server_stats;
class access_log;
class web_app;
struct response_plan;

// A test seam: adjusts every routed plan (e.g. sets a delivery mode) before it is carried out.
using plan_hook = std::function<void(std::string_view target, response_plan& plan)>;

struct session_settings {
  std::chrono::milliseconds request_timeout{30000};  // a started request must arrive whole within this
  std::chrono::milliseconds idle_timeout{60000};     // keep-alive connections idle longer are closed
  std::size_t header_limit_bytes = 8 * 1024;         // larger headers: 431, then close
  std::uint64_t body_limit_bytes = 1024 * 1024;      // larger bodies: 413, then close
  int access_log_fd = 1;                             // where plans' access lines go; -1: nowhere
  int error_fd = 2;                                  // unexpected connection errors; -1: nowhere
};

// Everything a session needs; the router and registry must outlive every session (the server's
// io_context is destroyed before them).
struct session_context {
  const router& routes;
  connection_registry& registry;
  server_stats& stats;
  session_settings settings;
  const plan_hook* hook = nullptr;  // nullptr or empty: plans are used as routed
  boost::asio::ssl::context* tls = nullptr;  // set: every connection is TLS (https); outlives sessions
  access_log* access_lines = nullptr;        // set: access lines go through it (never blocking); else to access_log_fd
  // set: /__serentak/stats and /metrics are rendered on it, so a scrape of a 10,000-route server
  // never holds up the other connections of its I/O thread; null: rendered inline. Outlives sessions'
  // pending renders (joined before the io_contexts are destroyed).
  boost::asio::thread_pool* renders = nullptr;
  // set: it answers every request instead of the router (web_app.hpp: the dashboard); outlives sessions.
  web_app* app = nullptr;
};

// Starts serving an accepted socket whose io_context exactly one thread runs (over TLS when
// context.tls is set: the handshake first). If stop() has
// already begun the socket is closed instead.
void start_session(boost::asio::ip::tcp::socket socket, const session_context& context);

}  // namespace serentak::server
