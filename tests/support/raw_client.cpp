#include "support/raw_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <system_error>

namespace serentak::testing {
namespace {

using steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::chrono::milliseconds left_until(steady::time_point deadline) {
  return std::max(0ms, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now()));
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

}  // namespace

raw_client::raw_client(unsigned short port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
  if (fd_ < 0) throw std::system_error(errno, std::system_category(), "socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    int error = errno;
    ::close(fd_);
    throw std::system_error(error, std::system_category(), "connect");
  }
}

raw_client::~raw_client() { close(); }

void raw_client::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool raw_client::send_all(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool raw_client::receive(std::chrono::milliseconds timeout) {
  if (end_ != end::open) return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
  char chunk[65536];
  ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
  if (n < 0) {
    end_ = errno == ECONNRESET ? end::reset : end::closed;
  } else if (n == 0) {
    end_ = end::closed;
  } else {
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
  return true;
}

std::string raw_client::read_response(std::chrono::milliseconds timeout) {
  auto deadline = steady::now() + timeout;
  for (int round = 0; round < 100000; ++round) {
    auto end_of_head = buffer_.find("\r\n\r\n");
    if (end_of_head != std::string::npos) {
      std::string head = buffer_.substr(0, end_of_head + 4);
      std::string length_text = header_of(head, "content-length");
      std::size_t length = length_text.empty() ? 0 : std::stoul(length_text);
      if (buffer_.size() >= head.size() + length) {
        std::string response = buffer_.substr(0, head.size() + length);
        buffer_.erase(0, response.size());
        return response;
      }
    }
    if (end_ != end::open || left_until(deadline) <= 0ms || !receive(left_until(deadline))) return {};
  }
  return {};
}

raw_client::end raw_client::wait_for_end(std::chrono::milliseconds timeout) {
  auto deadline = steady::now() + timeout;
  while (end_ == end::open && left_until(deadline) > 0ms) receive(left_until(deadline));
  return end_;
}

long long raw_client::count_until_end(std::chrono::milliseconds timeout) {
  auto deadline = steady::now() + timeout;
  long long count = 0;
  char chunk[65536];
  while (end_ == end::open) {
    auto left = left_until(deadline);
    if (left <= 0ms) return -1;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) {
      end_ = n < 0 && errno == ECONNRESET ? end::reset : end::closed;
    } else {
      count += n;
    }
  }
  return count;
}

std::string status_line_of(const std::string& response) { return response.substr(0, response.find("\r\n")); }

std::string body_of(const std::string& response) {
  auto end_of_head = response.find("\r\n\r\n");
  return end_of_head == std::string::npos ? std::string{} : response.substr(end_of_head + 4);
}

std::string header_of(const std::string& response, std::string_view name) {
  std::string head = lower(response.substr(0, response.find("\r\n\r\n")));
  std::string key = "\r\n" + lower(name) + ":";
  auto at = head.find(key);
  if (at == std::string::npos) return {};
  auto start = at + key.size();
  auto stop = head.find("\r\n", start);
  if (stop == std::string::npos) stop = head.size();
  std::string value = response.substr(start, stop - start);
  while (!value.empty() && value.front() == ' ') value.erase(0, 1);
  while (!value.empty() && value.back() == ' ') value.pop_back();
  return value;
}

std::string get_request(std::string_view target, bool close) {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: t\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n";
}

}  // namespace serentak::testing
