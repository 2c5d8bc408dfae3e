#include "support/nginx_process.hpp"

#include <sys/prctl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "support/running_server.hpp"

namespace serentak::testing {
namespace {

constexpr const char* nginx_binary = "/usr/sbin/nginx";

bool accepts(unsigned short port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

bool nginx_process::available() { return ::access(nginx_binary, X_OK) == 0; }

nginx_process::nginx_process(const std::filesystem::path& dir, const std::filesystem::path& cert,
                             const std::filesystem::path& key)
    : dir_(dir), tls_port_(unused_port()), h2c_port_(unused_port()) {
  const std::string d = dir.string();
  std::filesystem::create_directories(dir / "tmp");
  {
    std::ofstream conf(dir / "nginx.conf");
    conf << "worker_processes 1;\ndaemon off;\nmaster_process on;\npid " << d << "/nginx.pid;\n"
         << "error_log " << d << "/error.log warn;\n"
         << "events { worker_connections 4096; }\n"
         << "http {\n"
         << "  log_format conn '$connection $server_protocol';\n"
         << "  access_log " << d << "/access.log conn;\n"
         << "  client_body_temp_path " << d << "/tmp/body;\n  proxy_temp_path " << d << "/tmp/proxy;\n"
         << "  fastcgi_temp_path " << d << "/tmp/fastcgi;\n  uwsgi_temp_path " << d << "/tmp/uwsgi;\n"
         << "  scgi_temp_path " << d << "/tmp/scgi;\n"
         << "  keepalive_requests 1000000;\n"
         << "  server {\n    listen 127.0.0.1:" << tls_port_ << " ssl http2;\n"
         << "    ssl_certificate " << cert.string() << ";\n    ssl_certificate_key " << key.string() << ";\n"
         << "    location / { default_type application/json; return 200 '{\"ok\":true}'; }\n  }\n"
         << "  server {\n    listen 127.0.0.1:" << h2c_port_ << " http2;\n"
         << "    location / { default_type application/json; return 200 '{\"ok\":true}'; }\n  }\n"
         << "}\n";
  }
  pid_ = ::fork();
  if (pid_ == 0) {
    // A test that aborts (a failed assert in a library) must not leave this child running and
    // holding ctest's pipes until the timeout: it dies with its parent.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    const std::string conf = d + "/nginx.conf";
    const std::string error_log_path = d + "/error.log";
    std::vector<std::string> argv{nginx_binary, "-p", d, "-c", conf, "-e", error_log_path};
    std::vector<char*> raw;
    for (std::string& a : argv) raw.push_back(a.data());
    raw.push_back(nullptr);
    ::execv(raw[0], raw.data());
    ::_exit(127);
  }
  if (pid_ < 0) return;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {  // it exited: bad config, port taken
      pid_ = -1;
      return;
    }
    if (accepts(tls_port_) && accepts(h2c_port_)) {
      ready_ = true;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

nginx_process::~nginx_process() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGQUIT);
  for (int i = 0; i < 200; ++i) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
}

std::string nginx_process::error_log() const {
  std::ifstream in(dir_ / "error.log");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace serentak::testing
