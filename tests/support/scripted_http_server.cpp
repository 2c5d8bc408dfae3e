#include "support/scripted_http_server.hpp"

#include <arpa/inet.h>
#include <cctype>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <optional>
#include <system_error>

namespace serentak::testing {
namespace {

using std::chrono::milliseconds;
using clock_type = std::chrono::steady_clock;

// Waits block on the socket and on stop_fd_ together, so idle connections cost no CPU and stop()
// wakes every thread at once; this cap is only a second line of defence.
constexpr int max_wait_ms = 250;
constexpr std::size_t max_head_bytes = 64 * 1024;  // a request head larger than this is dropped

std::system_error socket_error(const char* what) { return {errno, std::generic_category(), what}; }

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 408: return "Request Timeout";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Status";
  }
}

bool same_text(std::string_view a, std::string_view b) {  // ASCII case-insensitive
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

bool has_header(const scripted_reply& reply, std::string_view name, std::string_view value = {}) {
  return std::any_of(reply.headers.begin(), reply.headers.end(), [&](const auto& header) {
    return same_text(header.first, name) && (value.empty() || same_text(header.second, value));
  });
}

std::string response_head(const scripted_reply& reply, std::size_t content_length) {
  std::string head = "HTTP/1.1 " + std::to_string(reply.status) + " ";
  head += std::string(reason_phrase(reply.status)) + "\r\n";
  for (const auto& [name, value] : reply.headers) head += name + ": " + value + "\r\n";
  if (!has_header(reply, "Content-Length") && !has_header(reply, "Transfer-Encoding")) {
    head += "Content-Length: " + std::to_string(content_length) + "\r\n";
  }
  head += "\r\n";
  return head;
}

// "GET /x HTTP/1.1\r\n..." -> method and target; nullopt when the line is not that shape.
std::optional<scripted_request> parse_request_line(std::string_view head) {
  const std::size_t line_end = head.find("\r\n");
  const std::string_view line = head.substr(0, line_end);
  const std::size_t first_space = line.find(' ');
  if (first_space == std::string_view::npos) return std::nullopt;
  const std::size_t second_space = line.find(' ', first_space + 1);
  if (second_space == std::string_view::npos) return std::nullopt;
  scripted_request request;
  request.head = std::string(head) + "\r\n";
  request.method = std::string(line.substr(0, first_space));
  request.target = std::string(line.substr(first_space + 1, second_space - first_space - 1));
  return request;
}

}  // namespace

std::optional<std::string> scripted_request::header(std::string_view name) const {
  const auto lower = [](std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  const std::string wanted = lower(name) + ":";
  std::size_t from = head.find("\r\n");
  while (from != std::string::npos && from + 2 < head.size()) {
    const std::size_t end = head.find("\r\n", from + 2);
    const std::string_view line = std::string_view(head).substr(from + 2, end - from - 2);
    if (lower(line.substr(0, wanted.size())) == wanted) {
      std::string_view value = line.substr(wanted.size());
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      return std::string(value);
    }
    from = end;
  }
  return std::nullopt;
}

scripted_reply scripted_reply::respond(int status, std::string body, milliseconds delay) {
  scripted_reply reply;
  reply.status = status;
  reply.body = std::move(body);
  reply.delay = delay;
  return reply;
}

scripted_reply scripted_reply::close_connection(milliseconds delay) {
  scripted_reply reply;
  reply.what = action::close;
  reply.delay = delay;
  return reply;
}

scripted_reply scripted_reply::reset_connection(milliseconds delay) {
  scripted_reply reply;
  reply.what = action::reset;
  reply.delay = delay;
  return reply;
}

scripted_reply scripted_reply::hang() {
  scripted_reply reply;
  reply.what = action::hang;
  return reply;
}

scripted_reply scripted_reply::short_body(std::string body, std::size_t claimed_length) {
  scripted_reply reply;
  reply.what = action::short_body;
  reply.body = std::move(body);
  reply.claimed_length = claimed_length;
  return reply;
}

scripted_reply scripted_reply::garbage(std::string bytes) {
  scripted_reply reply;
  reply.what = action::garbage;
  reply.body = std::move(bytes);
  return reply;
}

scripted_reply scripted_reply::drip(std::string bytes, milliseconds per_byte) {
  scripted_reply reply;
  reply.what = action::drip;
  reply.body = std::move(bytes);
  reply.per_byte = per_byte;
  return reply;
}

scripted_reply scripted_reply::reset_after(std::string bytes) {
  scripted_reply reply;
  reply.what = action::reset_after;
  reply.body = std::move(bytes);
  return reply;
}

scripted_reply scripted_reply::stream(std::size_t body_bytes, bool chunked) {
  scripted_reply reply;
  reply.what = action::stream;
  reply.claimed_length = body_bytes;
  reply.chunked = chunked;
  reply.headers.emplace_back("Content-Type", "application/octet-stream");
  if (chunked) reply.headers.emplace_back("Transfer-Encoding", "chunked");
  return reply;
}

scripted_reply& scripted_reply::with_header(std::string name, std::string value) {
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

scripted_http_server::scripted_http_server(script reply_for) : reply_for_(std::move(reply_for)) {
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop_fd_ < 0) throw socket_error("eventfd");
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (listen_fd_ < 0) {
    auto error = socket_error("socket");
    ::close(stop_fd_);
    throw error;
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  // The sockaddr casts are how the BSD socket API is spelled.
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listen_fd_, SOMAXCONN) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    auto error = socket_error("bind/listen");
    ::close(listen_fd_);
    ::close(stop_fd_);
    throw error;
  }
  port_ = ntohs(address.sin_port);
  accept_thread_ = std::thread([this] { accept_loop(); });
}

scripted_http_server::~scripted_http_server() { stop(); }

std::string scripted_http_server::url(std::string_view target) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(target);
}

std::size_t scripted_http_server::requests_seen() const {
  std::lock_guard lock(counts_mutex_);
  return requests_;
}

std::vector<clock_type::time_point> scripted_http_server::arrival_times() const {
  std::lock_guard lock(counts_mutex_);
  return arrivals_;
}

std::vector<scripted_request> scripted_http_server::requests() const {
  std::lock_guard lock(counts_mutex_);
  return requests_seen_;
}

std::vector<std::string> scripted_http_server::targets() const {
  std::lock_guard lock(counts_mutex_);
  return targets_;
}

std::size_t scripted_http_server::connections_accepted() const {
  std::lock_guard lock(counts_mutex_);
  return accepted_;
}

std::size_t scripted_http_server::max_concurrent() const {
  std::lock_guard lock(counts_mutex_);
  return max_active_;
}

std::uint64_t scripted_http_server::bytes_streamed() const {
  std::lock_guard lock(counts_mutex_);
  return streamed_;
}

void scripted_http_server::stop() {
  stopping_ = true;
  if (stop_fd_ >= 0) {
    const std::uint64_t one = 1;
    // Never read back: the eventfd stays readable, waking every poll that includes it.
    [[maybe_unused]] const ssize_t ignored = ::write(stop_fd_, &one, sizeof one);
  }
  if (accept_thread_.joinable()) accept_thread_.join();
  reap_finished(/*all=*/true);
  if (listen_fd_ >= 0) {
    ::close(listen_fd_);
    listen_fd_ = -1;
  }
  if (stop_fd_ >= 0) {
    ::close(stop_fd_);
    stop_fd_ = -1;
  }
}

int scripted_http_server::wait_until(int fd, short events, int timeout_ms) {
  if (stopping_) return -1;
  pollfd fds[2] = {{fd, events, 0}, {stop_fd_, POLLIN, 0}};
  const int wait_ms = timeout_ms < 0 ? max_wait_ms : std::min(timeout_ms, max_wait_ms);
  const int ready = ::poll(fds, 2, wait_ms);
  if (stopping_ || fds[1].revents != 0) return -1;
  return ready > 0 && fds[0].revents != 0 ? 1 : 0;
}

void scripted_http_server::accept_loop() {
  std::size_t since_reap = 0;
  while (!stopping_) {
    const int waited = wait_until(listen_fd_, POLLIN, max_wait_ms);
    if (waited < 0) break;
    const bool ready = waited > 0;
    // Drain the backlog in one go: a burst of connections should not wait a poll per accept.
    while (ready && !stopping_) {
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) break;  // EAGAIN: the (non-blocking) backlog is empty
      {
        std::lock_guard lock(counts_mutex_);
        ++accepted_;
      }
      auto& added = connections_.emplace_back(std::make_unique<connection>());
      connection* c = added.get();
      c->thread = std::thread([this, fd, c] {
        serve(fd);
        c->done = true;
      });
      ++since_reap;
    }
    // Join finished threads when idle or every 256 connections: often enough that a long test
    // does not pile them up, rarely enough that a burst does not pay a list walk per accept.
    if (!ready || since_reap >= 256) {
      reap_finished(/*all=*/false);
      since_reap = 0;
    }
  }
}

void scripted_http_server::reap_finished(bool all) {
  for (auto it = connections_.begin(); it != connections_.end();) {
    if (all || (*it)->done) {
      (*it)->thread.join();
      it = connections_.erase(it);
    } else {
      ++it;
    }
  }
}

void scripted_http_server::serve(int fd) noexcept {
  try {
    std::string buffer;
    bool keep_open = true;
    while (keep_open) {
      std::optional<scripted_request> request = read_request(fd, buffer);
      if (!request) break;  // the peer closed, sent nonsense, or the server is stopping
      {
        std::lock_guard lock(counts_mutex_);
        request->sequence = requests_++;
        request->arrived = clock_type::now();
        arrivals_.push_back(request->arrived);
        targets_.push_back(request->target);
        requests_seen_.push_back(*request);
      }
      enter();
      keep_open = handle(fd, *request);  // calls leave() on every path
    }
  } catch (...) {
    // A test helper must not take the process down; the connection just closes.
  }
  ::close(fd);
}

// Reads one request head and its Content-Length body, and consumes them.
std::optional<scripted_request> scripted_http_server::read_request(int fd, std::string& buffer) {
  std::size_t head_end = std::string::npos;
  while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
    if (buffer.size() > max_head_bytes) return std::nullopt;
    const int waited = wait_until(fd, POLLIN, -1);
    if (waited < 0) return std::nullopt;
    if (waited == 0) continue;
    char chunk[4096];
    const ssize_t got = ::recv(fd, chunk, sizeof chunk, 0);
    if (got <= 0) return std::nullopt;
    buffer.append(chunk, static_cast<std::size_t>(got));
  }
  std::optional<scripted_request> request = parse_request_line(std::string_view(buffer).substr(0, head_end));
  buffer.erase(0, head_end + 4);
  if (!request) return request;
  // A body with a Content-Length is read whole (a test's bodies are small); chunked ones are not sent.
  const std::optional<std::string> length = request->header("Content-Length");
  const std::size_t wanted = length ? std::stoul(*length) : 0;
  if (wanted > max_head_bytes * 64) return std::nullopt;
  while (buffer.size() < wanted) {
    const int waited = wait_until(fd, POLLIN, -1);
    if (waited < 0) return std::nullopt;
    if (waited == 0) continue;
    char chunk[4096];
    const ssize_t got = ::recv(fd, chunk, sizeof chunk, 0);
    if (got <= 0) return std::nullopt;
    buffer.append(chunk, static_cast<std::size_t>(got));
  }
  request->body = buffer.substr(0, wanted);
  buffer.erase(0, wanted);
  return request;
}

// Returns whether the connection stays open for another request; closes it otherwise.
// The fd is closed here for reset (it must be), by serve() in every other case.
bool scripted_http_server::handle(int fd, const scripted_request& request) {
  scripted_reply reply;
  try {
    reply = reply_for_(request);
  } catch (...) {
    reply = scripted_reply::respond(500, "script threw");
  }
  const bool forever = reply.what == scripted_reply::action::hang;
  if (!wait_for(fd, reply.delay, forever) || forever) {
    leave();
    return false;
  }
  switch (reply.what) {
    case scripted_reply::action::respond: {
      const std::string bytes = response_head(reply, reply.body.size()) + reply.body;
      leave();  // before the last bytes: the client may admit its next request the moment they land
      return send_all(fd, bytes) && !has_header(reply, "Connection", "close");
    }
    case scripted_reply::action::short_body: {
      const std::string bytes = response_head(reply, reply.claimed_length) + reply.body;
      leave();
      send_all(fd, bytes);
      ::shutdown(fd, SHUT_WR);
      return false;
    }
    case scripted_reply::action::garbage:
      leave();
      send_all(fd, reply.body);
      ::shutdown(fd, SHUT_WR);
      return false;
    case scripted_reply::action::drip: {
      leave();
      const int one = 1;  // each byte its own segment, not held back until the last is acknowledged
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      for (std::size_t i = 0; i < reply.body.size(); ++i) {
        if (!send_all(fd, std::string_view(reply.body).substr(i, 1))) return false;
        if (i + 1 < reply.body.size() && !wait_for(fd, reply.per_byte, false)) return false;  // the peer left
      }
      ::shutdown(fd, SHUT_WR);
      return false;
    }
    case scripted_reply::action::stream:
      leave();
      send_stream(fd, reply);
      return false;
    case scripted_reply::action::reset_after:
      leave();
      // Only bytes the peer's kernel holds survive the reset (an RST discards what is still
      // queued here), so the client is sure to see them, then the reset.
      if (!send_all(fd, reply.body) || !wait_until_acknowledged(fd)) return false;
      [[fallthrough]];
    case scripted_reply::action::reset: {
      linger abort_on_close{1, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
      if (reply.what == scripted_reply::action::reset) leave();
      return false;  // serve() closes: with linger 0 the close sends RST
    }
    case scripted_reply::action::close:
    case scripted_reply::action::hang:
      leave();
      return false;
  }
  leave();
  return false;
}

// Waits delay (or until the peer leaves, when forever); false when the peer went away or the
// server is stopping, true when the delay passed with the peer still there.
bool scripted_http_server::wait_for(int fd, milliseconds delay, bool forever) {
  const auto deadline = clock_type::now() + delay;
  bool watch_peer = true;
  for (;;) {
    const auto now = clock_type::now();
    if (!forever && now >= deadline) return !stopping_;
    int wait_ms = -1;
    if (!forever) wait_ms = static_cast<int>(std::chrono::ceil<milliseconds>(deadline - now).count());
    // Once the peer has sent more (pipelining) the socket stays readable: stop watching it and
    // just sleep on the stop fd, which a negative fd makes poll ignore.
    const int waited = wait_until(watch_peer ? fd : -1, POLLIN, wait_ms);
    if (waited < 0) return false;
    if (waited == 0) continue;
    char probe = 0;
    const ssize_t got = ::recv(fd, &probe, 1, MSG_PEEK | MSG_DONTWAIT);
    if (got == 0) return false;                                            // peer closed
    if (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return false;  // peer reset
    if (got > 0) watch_peer = false;
  }
}

bool scripted_http_server::send_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const int waited = wait_until(fd, POLLOUT, -1);
    if (waited < 0) return false;
    if (waited == 0) continue;
    const ssize_t sent = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(sent));
  }
  return true;
}

// The head, then claimed_length bytes of 'x' in 64 KiB pieces, each a chunk when chunked; stops
// at the first send the peer refuses (it closed or reset) or when the server stops.
bool scripted_http_server::send_stream(int fd, const scripted_reply& reply) {
  constexpr std::size_t piece_bytes = 64 * 1024;
  const std::string piece(piece_bytes, 'x');
  if (!send_all(fd, response_head(reply, reply.claimed_length))) return false;
  std::size_t left = reply.claimed_length;
  while (left > 0) {
    const std::size_t size = std::min(left, piece_bytes);
    const std::string_view bytes = std::string_view(piece).substr(0, size);
    if (reply.chunked) {
      char size_line[32];
      const int length = std::snprintf(size_line, sizeof size_line, "%zx\r\n", size);
      if (!send_all(fd, std::string_view(size_line, static_cast<std::size_t>(length)))) return false;
    }
    if (!send_all(fd, bytes) || (reply.chunked && !send_all(fd, "\r\n"))) return false;
    left -= size;
    std::lock_guard lock(counts_mutex_);
    streamed_ += size;
  }
  return !reply.chunked || send_all(fd, "0\r\n\r\n");
}

// Waits until every byte sent on fd is acknowledged by the peer (nothing left in the send queue):
// false when the peer left or the server stops first, or after 10 s.
bool scripted_http_server::wait_until_acknowledged(int fd) {
  const auto give_up = clock_type::now() + std::chrono::seconds(10);
  for (;;) {
    int unacknowledged = 0;
    if (::ioctl(fd, SIOCOUTQ, &unacknowledged) != 0) return false;
    if (unacknowledged == 0) return true;
    if (clock_type::now() >= give_up || !wait_for(fd, milliseconds(1), false)) return false;
  }
}

void scripted_http_server::enter() {
  std::lock_guard lock(counts_mutex_);
  max_active_ = std::max(max_active_, ++active_);
}

void scripted_http_server::leave() {
  std::lock_guard lock(counts_mutex_);
  --active_;
}

unsigned short unused_local_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw socket_error("socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    auto error = socket_error("bind");
    ::close(fd);
    throw error;
  }
  ::close(fd);  // never listened on: a connect is refused
  return ntohs(address.sin_port);
}

scripted_reply ok_json(const scripted_request&) { return scripted_reply::respond(200, R"({"ok": true})"); }

}  // namespace serentak::testing
