#include "server/http/listener.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <system_error>

#include <boost/asio/post.hpp>
#include <boost/asio/socket_base.hpp>

#include "core/log_text.hpp"
#include "log/line_writer.hpp"
#include "server/stats/server_stats.hpp"

namespace serentak::server {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr std::chrono::milliseconds accept_backoff{100};

[[noreturn]] void throw_listen_error(const boost::system::error_code& ec, const tcp::endpoint& endpoint) {
  throw std::system_error(std::error_code(ec.value(), std::system_category()),
                          "cannot listen on " + endpoint_name(endpoint));
}

}  // namespace

std::string endpoint_name(const tcp::endpoint& endpoint) {
  std::string address = endpoint.address().to_string();
  if (endpoint.address().is_v6()) address = "[" + address + "]";
  return address + ":" + std::to_string(endpoint.port());
}

listener::listener(net::io_context& ioc, const tcp::endpoint& endpoint, session_context context,
                   std::size_t max_connections)
    : ioc_(ioc),
      acceptor_(ioc),
      backoff_timer_(acceptor_.get_executor()),
      context_(context),
      max_connections_(max_connections) {
  boost::system::error_code ec;
  // Each step reports through ec (these overloads return void under BOOST_ASIO_NO_DEPRECATED).
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  // Small responses: no Nagle delay. Set once here, since Linux copies it to every accepted
  // socket, instead of a setsockopt(2) per connection.
  if (!ec) acceptor_.set_option(tcp::no_delay(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  // Not SOMAXCONN (4096 in glibc's header): the kernel caps the backlog at net.core.somaxconn
  // anyway, and asking for more lets a machine with a raised sysctl use all of it.
  constexpr int listen_backlog = 65535;
  if (!ec) acceptor_.listen(listen_backlog, ec);
  if (!ec) port_ = acceptor_.local_endpoint(ec).port();
  if (ec) throw_listen_error(ec, endpoint);
  // Asio takes an assigned descriptor out of its epoll set itself when it closes it; an opened one
  // it leaves to close(2), which does not remove it while another thread's duplicate keeps the
  // socket open (a stale entry, firing for every new connection). So this one is released (out
  // of epoll) and handed back as an assigned descriptor, like the duplicates.
  const int fd = acceptor_.release(ec);
  if (!ec) acceptor_.assign(endpoint.protocol(), fd, ec);
  if (ec) {
    if (fd >= 0) ::close(fd);
    throw_listen_error(ec, endpoint);
  }
}

listener::listener(net::io_context& ioc, listener& first, session_context context, std::size_t max_connections)
    : ioc_(ioc),
      acceptor_(ioc),
      backoff_timer_(acceptor_.get_executor()),
      context_(context),
      max_connections_(max_connections),
      port_(first.port_) {
  boost::system::error_code ec;
  const tcp::endpoint endpoint = first.acceptor_.local_endpoint(ec);
  const int fd = ec ? -1 : ::fcntl(first.acceptor_.native_handle(), F_DUPFD_CLOEXEC, 0);
  if (fd < 0) {
    if (!ec) ec.assign(errno, boost::system::system_category());
    throw_listen_error(ec, endpoint);
  }
  acceptor_.assign(endpoint.protocol(), fd, ec);
  if (ec) {
    ::close(fd);
    throw_listen_error(ec, endpoint);
  }
}

void listener::run() {
  net::post(acceptor_.get_executor(), [self = shared_from_this()] { self->do_accept(); });
}

void listener::close() {
  net::post(acceptor_.get_executor(), [self = shared_from_this()] {
    self->closed_ = true;
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
    self->backoff_timer_.cancel();
  });
}

void listener::do_accept() {
  if (closed_) return;
  // No strand: the connection lives on this io_context, which one thread runs (mock_server.cpp).
  acceptor_.async_accept(ioc_,
                         [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
                           self->on_accept(ec, std::move(socket));
                         });
}

void listener::on_accept(boost::system::error_code ec, tcp::socket socket) {
  if (ec) return fail(ec, "accept");
  last_error_ = {};
  if (static_cast<std::size_t>(context_.stats.connections_open()) >= max_connections_) {
    // Full: close at once (the client sees the connection end), keep draining the backlog.
    context_.stats.connection_refused();
    boost::system::error_code ignored;
    socket.close(ignored);
  } else {
    start_session(std::move(socket), context_);
  }
  do_accept();
}

void listener::fail(boost::system::error_code ec, const char* what) {
  if (closed_ || ec == net::error::operation_aborted) return;    // stop()
  if (ec == net::error::connection_aborted) return do_accept();  // that client gave up; next one
  // EMFILE, ENFILE, ENOBUFS, ENOMEM: accepting again at once would fail again and spin the CPU.
  if (ec != last_error_ && context_.settings.error_fd >= 0) {
    std::string line = "[SERVER] ";
    line.append(what).append(" failed, retrying in 100 ms: ").append(escape_for_log(ec.message())).append("\n");
    log::write_fully(context_.settings.error_fd, line);
  }
  last_error_ = ec;
  backoff_timer_.expires_after(accept_backoff);
  backoff_timer_.async_wait(
      [self = shared_from_this()](boost::system::error_code wait_ec) { self->on_backoff(wait_ec); });
}

void listener::on_backoff(boost::system::error_code ec) {
  if (ec) return;  // cancelled by close()
  do_accept();
}

}  // namespace serentak::server
