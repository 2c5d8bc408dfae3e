#include "web/metrics_server.hpp"

#include <fmt/format.h>

#include "server/http/mock_server.hpp"
#include "server/http/web_app.hpp"
#include "server/stats/metrics_text.hpp"

namespace serentak::web {
namespace {

namespace sv = serentak::server;

// Answers /metrics (GET, HEAD) and nothing else; read-only, never streams.
class metrics_app final : public sv::web_app {
 public:
  explicit metrics_app(std::function<std::string()> render) : render_(std::move(render)) {}

  sv::app_answer answer(const sv::app_request& request) override {
    sv::response_plan plan;
    const std::string_view path = request.target.substr(0, request.target.find('?'));
    const bool head = request.method == "HEAD";
    plan.content_type = "text/plain; charset=utf-8";
    if (request.method != "GET" && !head) {
      plan.status = 405;
      plan.body = "read-only: GET /metrics\n";
      plan.extra_headers.emplace_back("Allow", "GET, HEAD");
    } else if (path != "/metrics") {
      plan.status = 404;
      plan.body = "not found: the metrics are at /metrics\n";
    } else {
      try {
        plan.body = render_();
        plan.status = 200;
        plan.content_type = sv::prometheus_content_type;
      } catch (const std::exception&) {  // out of memory while rendering: this scrape fails, not the monitor
        plan.status = 500;
        plan.body = "the metrics could not be rendered\n";
      }
    }
    plan.extra_headers.emplace_back("Cache-Control", "no-store");
    plan.extra_headers.emplace_back("X-Content-Type-Options", "nosniff");
    plan.omit_body = head;
    return {std::move(plan), false};
  }

  void adopt(boost::asio::ip::tcp::socket socket, const sv::app_request&, sv::connection_registry&) override {
    boost::system::error_code ignored;
    socket.close(ignored);  // answer() never asks for a stream
  }

 private:
  std::function<std::string()> render_;
};

}  // namespace

metrics_server::metrics_server(const web_address& address, std::function<std::string()> render) : host_(address.host) {
  sv::server_config config;
  config.host = address.host;
  config.port = address.port;
  config.threads = 1;
  config.quiet = true;
  config.max_connections = 256;
  config.app = std::make_shared<metrics_app>(std::move(render));
  server_ = std::make_unique<sv::mock_server>(std::move(config));
}

metrics_server::~metrics_server() { stop(); }

unsigned short metrics_server::port() const noexcept { return server_->port(); }

std::string metrics_server::url() const {
  const bool v6 = host_.find(':') != std::string::npos;
  return fmt::format("http://{}{}{}:{}/metrics", v6 ? "[" : "", host_, v6 ? "]" : "", port());
}

void metrics_server::start() { server_->start(); }

void metrics_server::stop() { server_->stop(); }

}  // namespace serentak::web
