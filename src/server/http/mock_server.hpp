#pragma once
// The mock API server: all five seed themes on one asynchronous Boost.Beast server.
// Delays wait on steady_timers, never on sleeping threads, so thousands of delayed responses
// cost no threads. Shared tables (records) are immutable after construction. Each I/O thread runs
// its own io_context with its own acceptor on the one listening socket; a connection stays on the
// thread that accepted it, so no connection needs a strand.
//
// Threads: the constructor binds and listens (so port() is known at once); start() serves on
// config.threads background threads; stop() is idempotent and callable from any thread,
// including a signal-handling one (but not from inside the server's own threads); the
// destructor stops and joins. See docs/mock-server.md.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "scenario/scenario.hpp"
#include <string_view>

namespace serentak::server {

struct response_plan;
class web_app;

struct server_config {
  std::string host = "127.0.0.1";                    // address to listen on (IPv4 or IPv6 literal, or localhost)
  unsigned short port = 5000;                        // 0: the kernel picks a free port; read it from port()
  unsigned threads = 0;                              // io threads; 0: hardware cores
  std::optional<std::uint64_t> seed;                 // set: delays and random picks are reproducible
  double delay_scale = 1.0;                          // multiplies every delay; 0 removes them; >= 0
  bool quiet = false;                                // no "[SERVER] ..." access lines
  int access_log_fd = 1;                             // where access lines go (stdout)
  // Access lines waiting for a slow reader of access_log_fd, in bytes; past it they are dropped
  // and counted (access_lines_dropped), never waited for. > 0.
  std::size_t access_log_buffer_bytes = 4 << 20;
  std::chrono::milliseconds request_timeout{30000};  // a started request must arrive whole within this; > 0
  std::chrono::milliseconds idle_timeout{60000};     // a keep-alive connection idle this long is closed; > 0
  std::size_t header_limit_bytes = 8 * 1024;         // larger request headers: 431 and the connection closes
  std::uint64_t body_limit_bytes = 1024 * 1024;      // larger request bodies: 413 and the connection closes
  // The routes to serve, with their latency models and faults (scenario_file.hpp, fault_spec.hpp);
  // empty: the five seed themes as built-in scenarios. The router is built from this: router(config).
  std::vector<scenario> scenarios;
  // HTTPS (serve --tls-cert/--tls-key): both set, every route is served over TLS; tls_client_ca_file
  // set as well: clients must present a certificate it verifies (mutual TLS). All empty: plain http.
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;
  std::size_t max_connections = 20000;               // open connections beyond which new ones are closed at once; > 0
  // Test seam: called with each request's target and routed plan before it is carried out (e.g. to
  // set a delivery mode). Empty: plans are used as routed. Called on io threads, concurrently.
  std::function<void(std::string_view target, response_plan& plan)> plan_hook;
  // Set: this application answers every request instead of the routes (the monitor's dashboard,
  // src/web); the sessions, limits and timeouts stay the server's. Null: the routes, unchanged.
  std::shared_ptr<web_app> app;
};

class mock_server {
 public:
  // Binds and listens; throws std::system_error (e.g. address in use) or std::invalid_argument.
  explicit mock_server(server_config config);
  ~mock_server();
  mock_server(const mock_server&) = delete;
  mock_server& operator=(const mock_server&) = delete;

  unsigned short port() const noexcept;
  void start();  // non-blocking
  void stop();   // closes the listener and all connections, cancels timers, joins the threads
  void wait();   // blocks until stop() has completed

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace serentak::server
