#pragma once
// Accepts TCP connections for the mock server and hands each to a new session on the same
// io_context, which exactly one thread runs (so neither needs a strand).
// Binds and listens in the constructor, so the port is known (port 0: the kernel's choice) before
// any thread runs. Accept errors such as EMFILE back off on a timer instead of spinning. With
// max_connections open, a newly accepted connection is closed at once (counted as refused), so
// the accept loop keeps draining the backlog without spinning or holding more descriptors.
// Owned by mock_server through shared_ptr (its pending accept holds another reference);
// run() and close() may be called from any thread, the rest runs on its io_context's thread.

#include <cstddef>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>

#include "server/http/session.hpp"

namespace serentak::server {

class listener : public std::enable_shared_from_this<listener> {
 public:
  // Opens, binds (SO_REUSEADDR) and listens with the largest backlog the system allows.
  // Throws std::system_error: "cannot listen on 127.0.0.1:5000: Address already in use".
  listener(boost::asio::io_context& ioc, const boost::asio::ip::tcp::endpoint& endpoint, session_context context,
           std::size_t max_connections);
  // Another acceptor for another I/O thread's io_context, on a duplicate of first's listening
  // descriptor: every thread accepts from the one accept queue, so a connection goes to whichever
  // thread accepts first (and stays there), and no other process can join the port (as
  // SO_REUSEPORT would let it).
  // Throws std::system_error if the descriptor cannot be duplicated.
  listener(boost::asio::io_context& ioc, listener& first, session_context context, std::size_t max_connections);

  unsigned short port() const noexcept { return port_; }
  void run();    // starts accepting
  void close();  // stops accepting and closes the socket; idempotent

 private:
  void do_accept();
  void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);
  void on_backoff(boost::system::error_code ec);
  void fail(boost::system::error_code ec, const char* what);

  boost::asio::io_context& ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;  // its executor is its io_context's (one thread)
  boost::asio::steady_timer backoff_timer_;
  session_context context_;
  std::size_t max_connections_;  // open connections beyond which new ones are closed at once
  unsigned short port_ = 0;
  bool closed_ = false;
  boost::system::error_code last_error_;  // reported once per streak of equal errors
};

// "127.0.0.1:5000", "[::1]:5000": how messages name an endpoint.
std::string endpoint_name(const boost::asio::ip::tcp::endpoint& endpoint);

}  // namespace serentak::server
