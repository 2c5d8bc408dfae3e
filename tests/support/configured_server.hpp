#pragma once
// The real mock server in-process on a free port with a full server_config (limits, timeouts,
// plan_hook), started at once and stopped by RAII; and its statistics read over HTTP.

#include <string>

#include <nlohmann/json.hpp>

#include "server/mock_server.hpp"

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
  // GET /metrics on a new connection: the body; throws std::runtime_error on failure.
  std::string metrics() const;

 private:
  server::mock_server server_;
};

// A server_config for tests: no delays, quiet.
server::server_config test_config();

// The descriptors this process has open now (/proc/self/fd).
std::size_t open_fd_count();

}  // namespace serentak::testing
