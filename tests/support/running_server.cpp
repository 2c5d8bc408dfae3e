#include "support/running_server.hpp"

#include <stdexcept>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace serentak::testing {

running_server::running_server(double delay_scale, std::uint64_t seed) {
  server::server_config config;
  config.port = 0;
  config.quiet = true;
  config.threads = 2;
  config.delay_scale = delay_scale;
  config.seed = seed;
  server_ = std::make_unique<server::mock_server>(config);
  server_->start();
}

running_server::~running_server() { server_->stop(); }

std::string running_server::base_url() const { return "http://127.0.0.1:" + std::to_string(port()); }

unsigned short unused_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("cannot find a free port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace serentak::testing
