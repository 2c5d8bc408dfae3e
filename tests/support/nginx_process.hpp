#pragma once
// Debian's nginx as a child process for one test (or benchmark): a generated config in a scratch
// folder, two loopback listeners (HTTPS with HTTP/2 by ALPN, and cleartext HTTP/2 by prior
// knowledge), every location answering 200 with a small JSON body, an access log of
// "$connection $server_protocol" per request. The destructor sends SIGQUIT to its PID only (a
// graceful stop), waits up to 10 s, then SIGKILLs it.

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace serentak::testing {

class nginx_process {
 public:
  static bool available();  // /usr/sbin/nginx exists
  // Starts nginx in dir with the given certificate; waits up to 15 s for both ports to accept.
  nginx_process(const std::filesystem::path& dir, const std::filesystem::path& cert, const std::filesystem::path& key);
  ~nginx_process();
  nginx_process(const nginx_process&) = delete;
  nginx_process& operator=(const nginx_process&) = delete;

  bool ready() const noexcept { return ready_; }
  unsigned short tls_port() const noexcept { return tls_port_; }      // https, h2 and http/1.1 by ALPN
  unsigned short h2c_port() const noexcept { return h2c_port_; }      // http, HTTP/2 prior knowledge only
  std::filesystem::path access_log() const { return dir_ / "access.log"; }
  std::string error_log() const;  // its contents, for failure messages

 private:
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  unsigned short tls_port_ = 0;
  unsigned short h2c_port_ = 0;
  bool ready_ = false;
};

}  // namespace serentak::testing
