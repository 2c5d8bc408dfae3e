#include "support/redis_server.hpp"

#include <sys/prctl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <thread>

#include "support/process_runner.hpp"

namespace serentak::testing {

unsigned short free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("no free loopback port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

redis_server::redis_server(std::filesystem::path dir, std::vector<std::string> extra)
    : dir_(std::move(dir)), extra_(std::move(extra)), port_(free_loopback_port()) {
  if (!start()) throw std::runtime_error("redis-server did not start (is it installed? scripts/install-deps.sh)");
}

redis_server::~redis_server() { kill(); }

void redis_server::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

void redis_server::signal(int sig) const {
  if (pid_ > 0) ::kill(pid_, sig);
}

bool redis_server::start(bool until_loaded) {
  if (pid_ > 0) return true;
  std::vector<std::string> argv{"redis-server",
                                "--bind",
                                "127.0.0.1",
                                "--port",
                                std::to_string(port_),
                                "--dir",
                                dir_.string(),
                                "--appendonly",
                                "yes",
                                "--appendfsync",
                                "always",
                                "--save",
                                "",
                                "--daemonize",
                                "no",
                                "--logfile",
                                (dir_ / "redis.log").string(),
                                "--protected-mode",
                                "no"};
  argv.insert(argv.end(), extra_.begin(), extra_.end());
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    // A test that aborts (a failed assert in a library) must not leave this child running and
    // holding ctest's pipes until the timeout: it dies with its parent.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    std::vector<char*> raw;
    for (std::string& a : argv) raw.push_back(a.data());
    raw.push_back(nullptr);
    ::execvp(raw[0], raw.data());
    ::_exit(127);
  }
  for (int i = 0; i < 200; ++i) {  // up to 10 s
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    std::string pong = cli({"PING"});
    if (pong.find("PONG") != std::string::npos || pong.find("NOAUTH") != std::string::npos) return true;
    if (!until_loaded && pong.find("LOADING") != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::string redis_server::cli(const std::vector<std::string>& args) const {
  std::vector<std::string> argv{"/usr/bin/redis-cli", "-h", "127.0.0.1", "-p", std::to_string(port_)};
  for (std::size_t i = 0; i + 1 < extra_.size(); ++i) {
    if (extra_[i] == "--requirepass") argv.insert(argv.end(), {"--no-auth-warning", "-a", extra_[i + 1]});
  }
  argv.insert(argv.end(), args.begin(), args.end());
  process_result r = run_process(argv, std::chrono::seconds(10));
  std::string out = r.out;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

}  // namespace serentak::testing
