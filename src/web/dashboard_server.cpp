#include "web/dashboard_server.hpp"

#include <fmt/format.h>

#include "server/http/mock_server.hpp"

namespace serentak::web {

dashboard_server::dashboard_server(const dashboard_state& state, history_api* history, const web_address& address,
                                   dashboard_options options)
    : host_(address.host) {
  server::server_config config;
  config.host = address.host;
  config.port = address.port;
  config.threads = 1;
  config.quiet = true;  // no access lines: a ?token= must never reach a log
  config.max_connections = 1024;
  config.app = std::make_shared<dashboard_app>(state, history, std::move(options));
  server_ = std::make_unique<server::mock_server>(std::move(config));
}

dashboard_server::~dashboard_server() { stop(); }

unsigned short dashboard_server::port() const noexcept { return server_->port(); }

std::string dashboard_server::url() const {
  const bool v6 = host_.find(':') != std::string::npos;
  return fmt::format("http://{}{}{}:{}/", v6 ? "[" : "", host_, v6 ? "]" : "", port());
}

void dashboard_server::start() { server_->start(); }

void dashboard_server::stop() { server_->stop(); }

}  // namespace serentak::web
