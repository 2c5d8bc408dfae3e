#pragma once
// The dashboard's HTTP server: the mock server's asynchronous HTTP code (sessions, header, body and
// connection limits, timeouts) with dashboard_app answering instead of the scenario routes, on one
// I/O thread of its own (the page, the API and the streams are light; the checks keep the cores).
// Binds in the constructor (so the port is known, port 0 included); start() serves; stop() closes
// every connection and stream and joins. Owned by the command that runs the monitor.

#include <memory>
#include <string>

#include "web/dashboard_app.hpp"
#include "web/web_access.hpp"

namespace serentak::server {
class mock_server;
}

namespace serentak::web {

class dashboard_server {
 public:
  // state and history must outlive this object. Throws std::system_error when it cannot listen.
  dashboard_server(const dashboard_state& state, history_api* history, const web_address& address,
                   dashboard_options options);
  ~dashboard_server();
  dashboard_server(const dashboard_server&) = delete;
  dashboard_server& operator=(const dashboard_server&) = delete;

  unsigned short port() const noexcept;
  std::string url() const;  // "http://127.0.0.1:8080/", "http://[::1]:8080/"
  void start();
  void stop();  // idempotent

 private:
  std::string host_;
  std::unique_ptr<server::mock_server> server_;
};

}  // namespace serentak::web
