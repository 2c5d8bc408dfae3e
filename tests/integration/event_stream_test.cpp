// web/event_stream: one Server-Sent Events connection, in-process on loopback. A browser that
// closes its stream is let go at once (the open-stream count, which caps /events, drops), not at
// the stream's next write, which with nothing new is a keep-alive many seconds away.
#include "web/event_stream.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "web/dashboard_state.hpp"

namespace serentak::web {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using tcp = net::ip::tcp;

monitor::monitor_config one_endpoint() {
  monitor::monitor_config config;
  monitor::endpoint_config e;
  e.name = "api";
  e.group = "g";
  e.url = "http://127.0.0.1:9/";
  config.endpoints.push_back(e);
  return config;
}

// An io_context on its own thread with a stream served on one end of a loopback connection.
struct stream_fixture {
  net::io_context io;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> guard{io.get_executor()};
  std::thread thread{[this] { io.run(); }};
  dashboard_state state{one_endpoint()};
  server::connection_registry registry;
  std::atomic<std::size_t> open{0};

  // Returns the browser's end; the server's end runs an event_stream that idles for a minute
  // between keep-alives.
  tcp::socket open_stream(net::io_context& client_io) {
    tcp::acceptor acceptor(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    tcp::socket browser(client_io);
    browser.connect(acceptor.local_endpoint());
    tcp::socket served = acceptor.accept();
    open.fetch_add(1);
    stream_timing timing;
    timing.tick = 50ms;
    timing.keep_alive = 60s;
    auto stream = std::make_shared<event_stream>(std::move(served), state, std::nullopt,
                                                 "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n", registry,
                                                 open, timing);
    registry.add(stream);
    stream->start();
    return browser;
  }

  ~stream_fixture() {
    registry.close_all();
    guard.reset();
    thread.join();
  }
};

bool count_reaches_zero(const std::atomic<std::size_t>& open, std::chrono::milliseconds limit) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < give_up) {
    if (open.load() == 0) return true;
    std::this_thread::sleep_for(10ms);
  }
  return open.load() == 0;
}

// Reads the head and the first event whole, so what the browser does next is the only news.
void read_first_event(tcp::socket& browser) {
  net::streambuf got;
  net::read_until(browser, got, "\n\n");
}

TEST(event_stream, a_browser_that_closes_its_stream_is_let_go_at_once_not_at_the_next_keep_alive) {
  stream_fixture fixture;
  net::io_context client_io;
  tcp::socket browser = fixture.open_stream(client_io);
  read_first_event(browser);
  EXPECT_EQ(fixture.open.load(), 1U);

  browser.shutdown(tcp::socket::shutdown_send);  // a FIN, as a closing tab sends (nothing is unread)
  EXPECT_TRUE(count_reaches_zero(fixture.open, 2s)) << "the stream outlived its browser";
  EXPECT_EQ(fixture.registry.size(), 0U);
}

TEST(event_stream, stray_bytes_keep_the_stream_and_a_reset_ends_it) {
  stream_fixture fixture;
  net::io_context client_io;
  tcp::socket chatty = fixture.open_stream(client_io);
  tcp::socket leaving = fixture.open_stream(client_io);
  read_first_event(chatty);
  read_first_event(leaving);

  net::write(chatty, net::buffer(std::string("not a request\r\n")));  // dropped; the stream goes on
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(fixture.open.load(), 2U) << "stray bytes ended a stream";

  leaving.set_option(net::socket_base::linger(true, 0));
  leaving.close();  // a reset
  const auto give_up = std::chrono::steady_clock::now() + 2s;
  while (fixture.open.load() != 1 && std::chrono::steady_clock::now() < give_up) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(fixture.open.load(), 1U) << "the reset stream did not end";
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(fixture.open.load(), 1U) << "the chatty stream ended too";

  chatty.close();
  EXPECT_TRUE(count_reaches_zero(fixture.open, 2s));
}

}  // namespace
}  // namespace serentak::web
