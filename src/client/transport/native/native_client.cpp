#include "client/transport/native/native_client.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "client/engine/transfer.hpp"

namespace serentak::client {
namespace {

// Bytes read per recv(2). A small API response arrives in one read; one buffer per worker,
// since a response is handed to the parser as soon as it is read.
constexpr std::size_t receive_buffer_bytes = 64 * 1024;

// At most this many reads per readiness event: epoll is level-triggered, so a connection with
// more to read is reported again next round, after the others had their turn.
constexpr int reads_per_event = 8;

bool is_redirect(long status) noexcept {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

std::string host_and_port(const native_exchange& exchange) {
  // As curl words it: "Failed to connect to 127.0.0.1 port 5000 ...".
  const std::string& host = exchange.target.host_header;
  const std::size_t colon = host.rfind(':');
  const bool has_port = colon != std::string::npos && host.find(']', colon) == std::string::npos;
  if (!has_port) return host + " port 80";
  return host.substr(0, colon) + " port " + host.substr(colon + 1);
}

long elapsed_ms(std::chrono::steady_clock::time_point since) {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - since).count());
}

// The request line, Host, the run's header lines in their order (User-Agent, Accept,
// Accept-Encoding: identity, the user's, Content-Type), then Content-Length and the body: byte
// for byte what transfer's curl options make libcurl write (tests/integration/request_bytes_test).
// Accept-Encoding is identity because this transport decodes no content coding.
void build_request(native_exchange& exchange) {
  const request_shape& shape = exchange.policy->request;
  std::string& bytes = exchange.request_bytes;
  bytes.clear();
  bytes.reserve(160 + exchange.target.path.size() + exchange.target.host_header.size() + exchange.request_body.size());
  bytes.append(shape.method()).append(" ").append(exchange.target.path).append(" HTTP/1.1\r\nHost: ");
  bytes.append(exchange.target.host_header).append("\r\n");
  shape.append_header_block(bytes, exchange.item);
  if (shape.has_body()) bytes.append("Content-Length: ").append(std::to_string(exchange.request_body.size())).append("\r\n");
  bytes.append("\r\n");
  bytes.append(exchange.request_body);
}

}  // namespace

native_client::native_client(socket_poller& poller, const fetch_policy& policy, std::size_t max_idle)
    : poller_(poller),
      listener_id_(poller.add_listener(*this)),
      policy_(policy),
      max_idle_(max_idle),
      receive_buffer_(receive_buffer_bytes) {}

native_client::~native_client() {
  for (const auto& connection : by_fd_) {
    if (connection && connection->fd >= 0) ::close(connection->fd);
  }
}

std::string native_client::start(transfer& slot, transport_route&& route) {
  native_exchange& exchange = slot.use_native();
  slot.mark_started(transfer::carrier::native);  // its clock includes the connect, as curl's
  const fetch_request& request = slot.request();
  begin(exchange, request.url, std::move(route.target), request.item, slot.request_body());
  return {};
}

void native_client::begin(native_exchange& exchange, std::string url, native_target target, std::string_view item,
                          std::string_view body) {
  const fetch_policy& policy = policy_;
  exchange.policy = &policy;
  exchange.item = item;
  exchange.request_body = body;
  exchange.url = std::move(url);
  exchange.target = std::move(target);
  exchange.started = clock::now();
  exchange.attempt_id = next_id_++;
  exchange.retried_fresh = false;
  exchange.redirects = 0;
  exchange.failure = transport_failure::none;
  exchange.curl_may_read = false;
  exchange.http_status = 0;
  exchange.body_over_limit = false;
  exchange.head_over_limit = false;
  exchange.error.clear();
  exchange.body = std::string{};
  exchange.retry_after.reset();
  exchange.headers.clear();
  attempt_deadlines_.push_back({exchange.started + policy.timeout, &exchange, exchange.attempt_id});
  build_request(exchange);
  connect_and_send(exchange);
}

// Sends exchange's request on an idle connection to its host:port, or on a new one.
void native_client::connect_and_send(native_exchange& exchange) {
  exchange.sent = 0;
  exchange.response.begin(exchange.policy->max_body_bytes);
  native_connection* connection = take_idle(exchange.target.host_header);
  if (connection == nullptr) {
    int error = 0;
    connection = open(exchange.target, error);
    if (connection == nullptr) {
      finish(exchange, transport_failure::connect_failed,
             "Failed to connect to " + host_and_port(exchange) + " after " +
                 std::to_string(elapsed_ms(exchange.started)) + " ms: " + std::strerror(error));
      return;
    }
    if (exchange.policy->connect_timeout.count() > 0) {
      exchange.connect_id = next_id_++;
      connect_deadlines_.push_back({clock::now() + exchange.policy->connect_timeout, &exchange, exchange.connect_id});
    }
  }
  connection->user = &exchange;
  exchange.connection = connection;
  exchange.at = connection->connected ? native_exchange::phase::sending : native_exchange::phase::connecting;
  send_request(exchange);
}

// Writes what is left of the request. Over loopback and on a warm connection it all goes in one
// send(2); a new connection's send may find the handshake unfinished (EAGAIN) and waits for
// EPOLLOUT instead of polling first (a readiness check per request costs a system call).
void native_client::send_request(native_exchange& exchange) {
  native_connection& connection = *exchange.connection;
  while (exchange.sent < exchange.request_bytes.size()) {
    const ssize_t n = ::send(connection.fd, exchange.request_bytes.data() + exchange.sent,
                             exchange.request_bytes.size() - exchange.sent, MSG_NOSIGNAL);
    if (n > 0) {
      exchange.sent += static_cast<std::size_t>(n);
      connection.connected = true;
      continue;
    }
    const int error = n < 0 ? errno : EPIPE;
    if (error == EINTR) continue;
    if (error == EAGAIN || error == EWOULDBLOCK || error == ENOTCONN) {
      if (!watch(connection, EPOLLOUT)) finish(exchange, transport_failure::send_failed, std::string("epoll_ctl: ") + std::strerror(errno));
      return;
    }
    if (!connection.connected) {
      finish(exchange, transport_failure::connect_failed,
             "Failed to connect to " + host_and_port(exchange) + " after " +
                 std::to_string(elapsed_ms(exchange.started)) + " ms: " + std::strerror(error));
      return;
    }
    if (retry_on_fresh_connection(exchange)) return;
    finish(exchange, transport_failure::send_failed, std::string("Send failure: ") + std::strerror(error));
    return;
  }
  exchange.at = native_exchange::phase::receiving;
  if (!watch(connection, EPOLLIN)) finish(exchange, transport_failure::recv_failed, std::string("epoll_ctl: ") + std::strerror(errno));
}

void native_client::on_socket_ready(int fd, std::uint32_t events) {
  if (fd < 0 || static_cast<std::size_t>(fd) >= by_fd_.size() || !by_fd_[static_cast<std::size_t>(fd)]) return;
  native_connection& connection = *by_fd_[static_cast<std::size_t>(fd)];
  if (connection.fd != fd) return;  // closed earlier in this round
  native_exchange* exchange = connection.user;
  if (exchange == nullptr) {
    // Idle, yet readable: the server closed it (or sent bytes nobody asked for). Either way it
    // cannot carry a request any more.
    close(connection);
    return;
  }
  if (exchange->at == native_exchange::phase::receiving) {
    receive(*exchange);
    return;
  }
  if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) == 0) return;
  if (!connection.connected) {
    int error = 0;
    socklen_t length = sizeof error;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
    if (error != 0) {
      finish(*exchange, transport_failure::connect_failed,
             "Failed to connect to " + host_and_port(*exchange) + " after " +
                 std::to_string(elapsed_ms(exchange->started)) + " ms: " + std::strerror(error));
      return;
    }
  }
  send_request(*exchange);
}

void native_client::receive(native_exchange& exchange) {
  native_connection& connection = *exchange.connection;
  for (int reads = 0; reads < reads_per_event; ++reads) {
    const ssize_t n = ::recv(connection.fd, receive_buffer_.data(), receive_buffer_.size(), 0);
    if (n > 0) {
      switch (exchange.response.feed(receive_buffer_.data(), static_cast<std::size_t>(n))) {
        case native_response::state::need_more: continue;
        case native_response::state::done: on_response(exchange); return;
        case native_response::state::failed:
          exchange.body_over_limit = exchange.response.body_over_limit();
          exchange.head_over_limit = exchange.response.head_over_limit();
          exchange.http_status = exchange.response.status();
          finish(exchange, exchange.response.failure(), exchange.response.error(), exchange.response.curl_may_read());
          return;
      }
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    // Closed or reset. On a reused connection before any byte of the answer, the server most
    // likely closed it while idle as our request crossed: send it again on a new one, once (curl
    // does the same).
    const int error = n < 0 ? errno : 0;
    if (exchange.response.bytes_received() == 0 && retry_on_fresh_connection(exchange)) return;
    if (error != 0) {
      finish(exchange, transport_failure::recv_failed, std::string("Recv failure: ") + std::strerror(error));
      return;
    }
    exchange.http_status = exchange.response.status();
    if (exchange.response.feed_eof() == native_response::state::done) {
      on_response(exchange);
    } else {
      finish(exchange, exchange.response.failure(), exchange.response.error(), exchange.response.curl_may_read());
    }
    return;
  }
}

bool native_client::retry_on_fresh_connection(native_exchange& exchange) {
  native_connection& connection = *exchange.connection;
  if (connection.responses == 0 || exchange.retried_fresh) return false;
  exchange.retried_fresh = true;
  connection.user = nullptr;
  exchange.connection = nullptr;
  close(connection);
  connect_and_send(exchange);
  return true;
}

void native_client::on_response(native_exchange& exchange) {
  native_response& response = exchange.response;
  native_connection& connection = *exchange.connection;
  exchange.http_status = response.status();
  exchange.retry_after = response.retry_after();
  exchange.headers.clear();
  if (!exchange.policy->kept_headers.empty()) response.copy_kept_headers(exchange.policy->kept_headers, exchange.headers);
  ++connection.responses;
  const bool keep = response.reusable() && reuse_;
  connection.user = nullptr;
  exchange.connection = nullptr;
  if (keep) {
    give_back(connection);
  } else {
    close(connection);
  }
  if (exchange.policy->follow_redirects && is_redirect(response.status()) && !response.location().empty()) {
    follow(exchange);
    return;
  }
  exchange.body = response.take_body();
  succeed(exchange);
}

// Another hop within the same attempt (and its deadline), as curl's FOLLOWLOCATION: at most
// max_redirects, to http:// targets the native transport can reach.
void native_client::follow(native_exchange& exchange) {
  if (exchange.redirects >= exchange.policy->max_redirects) {
    finish(exchange, transport_failure::bad_reply,
           "Maximum (" + std::to_string(exchange.policy->max_redirects) + ") redirects followed");
    return;
  }
  std::string next = resolve_location(exchange.url, exchange.response.location());
  native_target_parse parsed = parse_native_target(next);
  using verdict = native_target_parse::verdict;
  if (parsed.kind == verdict::other_scheme) {
    finish(exchange, transport_failure::bad_reply, "Protocol \"" + parsed.scheme + "\" not supported by the native transport");
    return;
  }
  if (parsed.kind == verdict::needs_curl) {
    finish(exchange, transport_failure::bad_reply, "redirect needs the curl transport: " + parsed.why);
    return;
  }
  if (parsed.kind == verdict::malformed) {
    finish(exchange, transport_failure::refused_request, "redirect to a malformed URL: " + parsed.why);
    return;
  }
  ++exchange.redirects;
  exchange.url = std::move(next);
  exchange.target = std::move(parsed.target);
  exchange.retried_fresh = false;
  exchange.http_status = 0;
  exchange.retry_after.reset();
  build_request(exchange);
  connect_and_send(exchange);
}

void native_client::succeed(native_exchange& exchange) {
  exchange.at = native_exchange::phase::idle;
  exchange.failure = transport_failure::none;
  exchange.curl_may_read = false;
  finished_.push_back(&exchange);
}

void native_client::finish(native_exchange& exchange, transport_failure failure, std::string error, bool curl_may_read) {
  if (exchange.connection != nullptr) {
    exchange.connection->user = nullptr;
    close(*exchange.connection);  // never reused after a failure: its state is unknown
    exchange.connection = nullptr;
  }
  exchange.at = native_exchange::phase::idle;
  exchange.failure = failure;
  exchange.curl_may_read = curl_may_read;
  // What curl would report too: the status and Retry-After of a response whose body then failed.
  if (exchange.http_status == 0) exchange.http_status = exchange.response.status();
  if (!exchange.retry_after) exchange.retry_after = exchange.response.retry_after();
  exchange.error = std::move(error);
  exchange.body = std::string{};
  finished_.push_back(&exchange);
}

void native_client::cancel(transfer& slot) noexcept {
  if (slot.native() != nullptr) cancel(*slot.native());
}

void native_client::cancel(native_exchange& exchange) noexcept {
  if (exchange.connection != nullptr) {
    exchange.connection->user = nullptr;
    close(*exchange.connection);
    exchange.connection = nullptr;
  }
  exchange.at = native_exchange::phase::idle;
}

void native_client::take_finished(std::vector<ended_attempt>& out) {
  for (native_exchange* exchange : finished_) {
    ended_attempt& ended = out.emplace_back();
    ended.slot = exchange->owner;
    ended.curl_may_read = exchange->curl_may_read;
    try {
      ended.result = ended.slot->finish_native();
    } catch (...) {
      ended.result.kind = outcome::unexpected;
      ended.result.error = "out of memory";  // short enough not to allocate
      ended.result.attempts = ended.slot->attempt();
    }
  }
  finished_.clear();
}

bool native_client::valid(const deadline& entry, bool connect_phase) const noexcept {
  const native_exchange& exchange = *entry.exchange;
  if (exchange.at == native_exchange::phase::idle) return false;
  if (!connect_phase) return exchange.attempt_id == entry.id;
  return exchange.connect_id == entry.id && exchange.connection != nullptr && !exchange.connection->connected;
}

void native_client::prune() noexcept {
  while (!attempt_deadlines_.empty() && !valid(attempt_deadlines_.front(), false)) attempt_deadlines_.pop_front();
  while (!connect_deadlines_.empty() && !valid(connect_deadlines_.front(), true)) connect_deadlines_.pop_front();
}

std::optional<native_client::clock::time_point> native_client::next_deadline() {
  if (!finished_.empty()) return clock::now();  // ended while being started (a refused connect)
  prune();
  std::optional<clock::time_point> next;
  if (!attempt_deadlines_.empty()) next = attempt_deadlines_.front().at;
  if (!connect_deadlines_.empty() && (!next || connect_deadlines_.front().at < *next)) {
    next = connect_deadlines_.front().at;
  }
  return next;
}

void native_client::expire(clock::time_point now) {
  while (!connect_deadlines_.empty() && connect_deadlines_.front().at <= now) {
    const deadline entry = connect_deadlines_.front();
    connect_deadlines_.pop_front();
    if (!valid(entry, true)) continue;
    finish(*entry.exchange, transport_failure::timed_out,
           "Connection timed out after " + std::to_string(elapsed_ms(entry.exchange->started)) + " milliseconds");
  }
  while (!attempt_deadlines_.empty() && attempt_deadlines_.front().at <= now) {
    const deadline entry = attempt_deadlines_.front();
    attempt_deadlines_.pop_front();
    if (!valid(entry, false)) continue;
    finish(*entry.exchange, transport_failure::timed_out,
           "Operation timed out after " + std::to_string(elapsed_ms(entry.exchange->started)) +
               " milliseconds with " + std::to_string(entry.exchange->response.bytes_received()) + " bytes received");
  }
}

void native_client::stop_reusing() noexcept {
  reuse_ = false;
  for (auto& [key, list] : idle_) {
    for (native_connection* connection : list) {
      connection->idle_index = native_connection::not_idle;
      ::close(connection->fd);
      connection->fd = -1;
    }
    list.clear();
  }
  idle_count_ = 0;
}

native_connection* native_client::take_idle(const std::string& key) noexcept {
  if (idle_count_ == 0) return nullptr;
  const auto found = idle_.find(key);
  if (found == idle_.end() || found->second.empty()) return nullptr;
  native_connection* connection = found->second.back();  // the warmest
  found->second.pop_back();
  connection->idle_index = native_connection::not_idle;
  --idle_count_;
  return connection;
}

void native_client::give_back(native_connection& connection) noexcept {
  if (idle_count_ >= max_idle_) {
    close(connection);
    return;
  }
  try {
    std::vector<native_connection*>& list = idle_[connection.pool_key];
    connection.idle_index = list.size();
    list.push_back(&connection);
    ++idle_count_;
  } catch (...) {
    connection.idle_index = native_connection::not_idle;
    close(connection);  // no memory to remember it: one fewer warm connection
  }
}

native_connection* native_client::open(const native_target& target, int& error) {
  const int fd = ::socket(target.address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = errno;
    return nullptr;
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // as curl: requests are one small write
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&target.address), target.address_length) != 0 &&
      errno != EINPROGRESS) {
    error = errno;
    ::close(fd);
    return nullptr;
  }
  const auto index = static_cast<std::size_t>(fd);
  try {
    if (index >= by_fd_.size()) by_fd_.resize(index + 1);
    if (!by_fd_[index]) by_fd_[index] = std::make_unique<native_connection>();
  } catch (...) {
    ::close(fd);
    error = ENOMEM;
    return nullptr;
  }
  native_connection& connection = *by_fd_[index];
  connection.fd = fd;
  connection.pool_key = target.host_header;
  connection.connected = false;
  connection.responses = 0;
  connection.watched = 0;
  connection.user = nullptr;
  connection.idle_index = native_connection::not_idle;
  ++opened_;
  return &connection;
}

void native_client::close(native_connection& connection) noexcept {
  if (connection.fd < 0) return;
  if (connection.idle_index != native_connection::not_idle) {
    // Swap-remove from its host's idle list: O(1).
    std::vector<native_connection*>& list = idle_[connection.pool_key];
    native_connection* last = list.back();
    list[connection.idle_index] = last;
    last->idle_index = connection.idle_index;
    list.pop_back();
    connection.idle_index = native_connection::not_idle;
    --idle_count_;
  }
  // close(2) also takes it out of the epoll set (nothing else holds the descriptor).
  ::close(connection.fd);
  connection.fd = -1;
  connection.user = nullptr;
}

bool native_client::watch(native_connection& connection, std::uint32_t events) noexcept {
  if (connection.watched == events) return true;
  const bool added = connection.watched != 0;
  if (poller_.control(added ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, connection.fd, events, listener_id_) != 0) return false;
  connection.watched = events;
  return true;
}

}  // namespace serentak::client
