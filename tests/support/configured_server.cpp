#include "support/configured_server.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "support/raw_client.hpp"

namespace serentak::testing {
namespace {

using namespace std::chrono_literals;

server::server_config prepared(server::server_config config) {
  config.port = 0;
  config.quiet = true;
  if (config.threads == 0) config.threads = 2;
  return config;
}

std::string get_body(unsigned short port, const std::string& target) {
  raw_client c(port);
  c.send_all("GET " + target + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  std::string response = c.read_response(10s);
  if (status_line_of(response) != "HTTP/1.1 200 OK") throw std::runtime_error("GET " + target + " failed: " + response);
  return body_of(response);
}

}  // namespace

configured_server::configured_server(server::server_config config) : server_(prepared(std::move(config))) {
  server_.start();
}

configured_server::~configured_server() { server_.stop(); }

nlohmann::json configured_server::stats() const {
  auto doc = nlohmann::json::parse(get_body(port(), "/__serentak/stats"), nullptr, false);
  if (doc.is_discarded()) throw std::runtime_error("stats are not JSON");
  return doc;
}

std::string configured_server::metrics() const { return get_body(port(), "/metrics"); }

server::server_config test_config() {
  server::server_config config;
  config.delay_scale = 0.0;
  config.quiet = true;
  return config;
}

std::size_t open_fd_count() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

long peak_rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

}  // namespace serentak::testing
