#pragma once
// `serentak serve` as a child process for one test: started with --port 0, its stdout read line by
// line on a background thread and stamped with the time each line arrived (access lines are
// written as the server answers, so with --delay-scale 0 the stamps are when it saw each request).
// Plain or HTTPS (--tls-cert): the port is read from either banner. The destructor sends SIGTERM to the child's PID only, waits up to 10 s, then SIGKILLs it.

#include <sys/types.h>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace serentak::testing {

struct stamped_line {
  std::chrono::steady_clock::time_point at;
  std::string text;  // without the '\n'
};

class serve_process {
 public:
  // args follow "serentak serve" ("--port 0" is added). Waits up to 15 s for the banner's port.
  explicit serve_process(std::vector<std::string> args);
  ~serve_process();
  serve_process(const serve_process&) = delete;
  serve_process& operator=(const serve_process&) = delete;

  unsigned short port() const noexcept { return port_; }  // 0: it never listened
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<stamped_line> lines() const;  // every line so far
  // Waits (up to timeout) until some line contains text; false on timeout.
  bool wait_for_line(const std::string& text, std::chrono::milliseconds timeout) const;

 private:
  void read_lines();

  pid_t pid_ = -1;
  int out_fd_ = -1;
  unsigned short port_ = 0;
  mutable std::mutex mutex_;  // guards lines_
  std::vector<stamped_line> lines_;
  std::thread reader_;
};

}  // namespace serentak::testing
