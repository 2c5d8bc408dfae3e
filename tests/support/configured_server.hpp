#pragma once
// The real mock server in-process on a free port with a full server_config (limits, timeouts,
// plan_hook), started at once and stopped by RAII; and its statistics read over HTTP.

#include <chrono>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "server/http/mock_server.hpp"

namespace serentak::testing {

class configured_server {
 public:
  // Forces port 0, quiet and (unless set) two threads; delay_scale defaults to 0 here.
  explicit configured_server(server::server_config config);
  ~configured_server();
  configured_server(const configured_server&) = delete;
  configured_server& operator=(const configured_server&) = delete;

  unsigned short port() const noexcept { return server_.port(); }
  server::mock_server& get() noexcept { return server_; }

  // GET /__serentak/stats on a new connection, parsed; throws std::runtime_error on failure.
  nlohmann::json stats() const;
  // The stats once pred(stats) holds, polled 50 ms apart for at most 10 s; then the last read
  // (the caller's assertions say what was missing).
  template <class Pred>
  nlohmann::json stats_when(Pred pred) const {
    nlohmann::json now;
    for (int round = 0; round < 200; ++round) {
      now = stats();
      if (pred(now)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return now;
  }
  // GET /metrics on a new connection: the body; throws std::runtime_error on failure.
  std::string metrics() const;

 private:
  server::mock_server server_;
};

// A server_config for tests: no delays, quiet.
server::server_config test_config();

// The descriptors this process has open now (/proc/self/fd).
std::size_t open_fd_count();

// This process's peak resident set (VmHWM), in KiB; 0 if it cannot be read.
long peak_rss_kib();

}  // namespace serentak::testing
