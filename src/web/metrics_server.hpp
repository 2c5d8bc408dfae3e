#pragma once
// `serentak monitor --metrics ADDR`: Prometheus text on GET /metrics, from the mock server's
// asynchronous HTTP code (sessions, limits, timeouts) with a small web_app answering, on one I/O
// thread of its own. render is called on that thread for each scrape and must be thread-safe.
// Binds in the constructor (port 0 included); start() serves; stop() closes and joins.

#include <functional>
#include <memory>
#include <string>

#include "web/web_access.hpp"

namespace serentak::server {
class mock_server;
}

namespace serentak::web {

class metrics_server {
 public:
  // Throws std::system_error when it cannot listen.
  metrics_server(const web_address& address, std::function<std::string()> render);
  ~metrics_server();
  metrics_server(const metrics_server&) = delete;
  metrics_server& operator=(const metrics_server&) = delete;

  unsigned short port() const noexcept;
  std::string url() const;  // "http://127.0.0.1:9100/metrics"
  void start();
  void stop();  // idempotent

 private:
  std::string host_;
  std::unique_ptr<server::mock_server> server_;
};

}  // namespace serentak::web
