#pragma once
// A real redis-server for one test: loopback, a free port, the test's scratch folder, AOF on with
// appendfsync always (so a SIGKILL loses nothing acknowledged), no RDB snapshots. kill() is a
// SIGKILL, start() brings it back on the same port and folder (replaying the AOF). The destructor
// SIGKILLs it (the data dies with the folder). Every wait is bounded.
// Not thread-safe; owned by one test.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace serentak::testing {

class redis_server {
 public:
  // dir: where its AOF lives (a scratch_dir's path). extra: more redis-server arguments, e.g.
  // {"--requirepass", "s3cret"}. Starts it and waits up to 10 s until it answers.
  explicit redis_server(std::filesystem::path dir, std::vector<std::string> extra = {});
  ~redis_server();
  redis_server(const redis_server&) = delete;
  redis_server& operator=(const redis_server&) = delete;

  bool running() const noexcept { return pid_ > 0; }
  unsigned short port() const noexcept { return port_; }
  std::string url(const std::string& job) const { return "redis://127.0.0.1:" + std::to_string(port_) + "/" + job; }

  void kill();                 // SIGKILL, reaped (a SIGSTOPped one too)
  void signal(int sig) const;  // e.g. SIGSTOP: a Redis that no longer answers, though its kernel still accepts
  // (Again), on the same port and folder; false when it does not answer within 10 s. With
  // until_loaded false, an answer of LOADING (still reading its data back) will do.
  bool start(bool until_loaded = true);

  // Runs redis-cli against it (argv after the connection options); its stdout, trimmed.
  std::string cli(const std::vector<std::string>& args) const;

 private:
  std::filesystem::path dir_;
  std::vector<std::string> extra_;
  unsigned short port_ = 0;
  pid_t pid_ = -1;
};

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then closed).
unsigned short free_loopback_port();

}  // namespace serentak::testing
