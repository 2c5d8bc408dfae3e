#pragma once
// The real mock server in-process on a free port for one test, stopped by RAII
// (cpp-httplib's KeepAliveTest shape).

#include <memory>
#include <string>

#include "server/http/mock_server.hpp"

namespace serentak::testing {

class running_server {
 public:
  explicit running_server(double delay_scale = 0.0, std::uint64_t seed = 1);
  ~running_server();
  running_server(const running_server&) = delete;
  running_server& operator=(const running_server&) = delete;

  unsigned short port() const noexcept { return server_->port(); }
  std::string base_url() const;  // "http://127.0.0.1:<port>"

 private:
  std::unique_ptr<server::mock_server> server_;
};

// A loopback port that nothing listens on (bound, then released).
unsigned short unused_port();

}  // namespace serentak::testing
