#include "support/dashboard_harness.hpp"

#include <csignal>
#include <regex>

#include "support/file_text.hpp"
#include "support/polling.hpp"

namespace serentak::testing {
namespace {

using namespace std::chrono_literals;

std::string monitor_file(const std::string& steady, const std::string& flip, const std::string& hostile) {
  return "defaults:\n"
         "  interval: 200ms\n"
         "  timeout: 2s\n"
         "  conditions: [\"[STATUS] == 200\"]\n"
         "endpoints:\n"
         "  - name: steady\n"
         "    group: serve\n"
         "    url: " +
         steady +
         "\n"
         "  - name: flip\n"
         "    group: scripted\n"
         "    url: " +
         flip +
         "\n"
         "    failure-threshold: 1\n"
         "    success-threshold: 1\n"
         "  - name: '" +
         std::string(hostile_name) +
         "'\n"
         "    group: scripted\n"
         "    url: " +
         hostile +
         "\n"
         "    failure-threshold: 1\n"
         "    conditions: [\"[BODY] == ok\"]\n";
}

}  // namespace

dashboard_harness::dashboard_harness(std::vector<std::string> extra_args)
    : service_([this](const scripted_request& r) {
        if (r.target == "/flip") {
          bool failing = false;
          {
            std::lock_guard lock(flip_mutex_);  // the mode and the first answer in it, together
            failing = failing_.load();
            if (!flipped_at_) flipped_at_ = std::chrono::steady_clock::now();
          }
          if (!failing) return scripted_reply::respond(200, R"({"status":"ok"})");
        }
        if (r.target == "/hostile") return scripted_reply::respond(500, hostile_body);
        return scripted_reply::respond(500, R"({"status":"down"})");
      }),
      serve_({"--quiet", "--delay-scale", "0"}) {
  const auto file = dir_.path() / "services.yaml";
  write_file(file, monitor_file(serve_.base_url() + "/status/ok", service_.url("/flip"), service_.url("/hostile")));
  std::vector<std::string> argv{binary_path().string(), "monitor", file.string(), "--web", "127.0.0.1:0", "--no-log"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  monitor_.emplace(argv, dir_.path() / "monitor");
  const std::regex url_line("dashboard on http://127\\.0\\.0\\.1:([0-9]+)/");
  wait_for(
      [&] {
        std::smatch m;
        const std::string err = monitor_->err();
        if (!std::regex_search(err, m, url_line)) return false;
        port_ = static_cast<unsigned short>(std::stoi(m[1].str()));
        return true;
      },
      15s);
}

dashboard_harness::~dashboard_harness() {
  if (monitor_) {
    monitor_->signal(SIGTERM);
    monitor_->wait(10s);
  }
}

void dashboard_harness::fail(bool on) {
  std::lock_guard lock(flip_mutex_);
  failing_.store(on);
  flipped_at_.reset();
}

std::optional<std::chrono::steady_clock::time_point> dashboard_harness::first_flipped_answer() const {
  std::lock_guard lock(flip_mutex_);
  return flipped_at_;
}

std::string dashboard_harness::url(const std::string& target) const {
  return "http://127.0.0.1:" + std::to_string(port_) + target;
}

std::size_t dashboard_harness::flip_requests() const {
  std::size_t n = 0;
  for (const std::string& t : service_.targets()) n += t == "/flip" ? 1 : 0;
  return n;
}

theme_dashboard_harness::theme_dashboard_harness(const std::string& theme, std::vector<std::string> extra_args)
    : serve_({"--quiet", "--delay-scale", "0"}) {
  std::vector<std::string> argv{binary_path().string(), theme, "--base", serve_.base_url(), "--every", "1s",
                                "--web", "127.0.0.1:0", "--no-log"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  command_.emplace(argv, dir_.path() / theme);
  const std::regex url_line("dashboard on http://127\\.0\\.0\\.1:([0-9]+)/");
  wait_for(
      [&] {
        std::smatch m;
        const std::string err = command_->err();
        if (!std::regex_search(err, m, url_line)) return false;
        port_ = static_cast<unsigned short>(std::stoi(m[1].str()));
        return true;
      },
      15s);
}

theme_dashboard_harness::~theme_dashboard_harness() {
  if (command_) {
    command_->signal(SIGTERM);
    command_->wait(10s);
  }
}

std::string theme_dashboard_harness::url(const std::string& target) const {
  return "http://127.0.0.1:" + std::to_string(port_) + target;
}

std::string http_request(unsigned short port, const std::string& method, const std::string& target,
                         const std::vector<std::string>& headers) {
  raw_client client(port);
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  for (const std::string& h : headers) request += h + "\r\n";
  request += "\r\n";
  if (!client.send_all(request)) return "";
  if (method == "HEAD") {
    client.wait_for_end(5s);
    return client.received();
  }
  return client.read_response(5s);
}

sse_reader::sse_reader(unsigned short port, const std::string& target, const std::vector<std::string>& headers)
    : client_(port) {
  std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n";
  for (const std::string& h : headers) request += h + "\r\n";
  request += "\r\n";
  client_.send_all(request);
}

std::optional<sse_event> sse_reader::next(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const std::string& buffer = client_.received();
    if (head_.empty()) {
      if (auto end = buffer.find("\r\n\r\n"); end != std::string::npos) {
        head_ = buffer.substr(0, end + 4);
        used_ = end + 4;
      }
    }
    if (!head_.empty()) {
      while (true) {
        const auto end = buffer.find("\n\n", used_);
        if (end == std::string::npos) break;
        const std::string block = buffer.substr(used_, end - used_);
        used_ = end + 2;
        sse_event e;
        bool any = false;
        for (const std::string& line : lines_of(block)) {
          if (line.rfind("id: ", 0) == 0) {
            e.id = line.substr(4);
          } else if (line.rfind("event: ", 0) == 0) {
            e.event = line.substr(7);
          } else if (line.rfind("data: ", 0) == 0) {
            e.data = line.substr(6);
          }
          any = any || !e.event.empty();
        }
        if (any && !e.event.empty()) return e;  // a comment or a bare "retry:" is not an event
      }
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline || client_.state() != raw_client::end::open) return std::nullopt;
    client_.receive(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now));
  }
}

}  // namespace serentak::testing
