#include "web/event_stream.hpp"

#include <array>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

namespace serentak::web {

namespace net = boost::asio;

event_stream::event_stream(net::ip::tcp::socket socket, const dashboard_state& state,
                           std::optional<event_cursor> resume, std::string head, server::connection_registry& registry,
                           std::atomic<std::size_t>& open_streams, stream_timing timing)
    : socket_(std::move(socket)),
      tick_timer_(socket_.get_executor()),
      write_deadline_(socket_.get_executor()),
      state_(state),
      cursor_(resume),
      out_(std::move(head)),
      registry_(registry),
      open_(open_streams),
      timing_(timing) {}

event_stream::~event_stream() {
  registry_.remove(this);
  open_.fetch_sub(1);
}

std::string event_stream::format(const dashboard_event& event, bool first) {
  std::string out;
  out.reserve(event.data.size() + 64);
  if (first) out += "retry: 1000\n";
  out += "id: " + event_id(event.cursor) + "\n";
  out += event.what == dashboard_event::kind::snapshot ? "event: snapshot\n" : "event: delta\n";
  out += "data: ";
  out += event.data;  // one line: compact JSON escapes every newline
  out += "\n\n";
  return out;
}

void event_stream::start() {
  net::dispatch(socket_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->socket_.non_blocking(true, ignored);  // on_readable's read must never wait
    self->do_watch();
    // The first event: a snapshot, or only what the client missed when it resumes.
    dashboard_event event = self->state_.since(self->cursor_);
    if (event.what == dashboard_event::kind::none) {
      // Up to date already: the id alone, so the client's Last-Event-ID stays right.
      event.what = dashboard_event::kind::delta;
      event.cursor = *self->cursor_;
      event.data = R"({"endpoints":[]})";
    }
    self->cursor_ = event.cursor;
    self->out_ += format(event, true);
    self->first_ = false;
    self->do_write();
  });
}

void event_stream::close() {
  net::post(socket_.get_executor(), [self = shared_from_this()] { self->do_shutdown(); });
}

void event_stream::do_shutdown() {
  closed_ = true;
  tick_timer_.cancel();
  write_deadline_.cancel();
  boost::system::error_code ignored;
  socket_.shutdown(net::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

void event_stream::do_write() {
  if (closed_) return;
  writing_ = true;
  write_deadline_.expires_after(timing_.write_timeout);
  write_deadline_.async_wait(
      [self = shared_from_this()](boost::system::error_code ec) { self->on_write_deadline(ec); });
  net::async_write(socket_, net::buffer(out_),
                   [self = shared_from_this()](boost::system::error_code ec, std::size_t n) { self->on_write(ec, n); });
}

void event_stream::on_write_deadline(boost::system::error_code ec) {
  if (ec || closed_ || !writing_) return;
  // A reader that stopped reading: reset, so its unsent bytes do not linger in the kernel.
  boost::system::error_code ignored;
  socket_.set_option(net::socket_base::linger(true, 0), ignored);
  socket_.close(ignored);
}

void event_stream::on_write(boost::system::error_code ec, std::size_t /*bytes*/) {
  writing_ = false;
  write_deadline_.cancel();
  if (closed_) return;  // stop()
  if (ec) return do_shutdown();  // the browser left (it reconnects with Last-Event-ID): end the watch too
  out_.clear();
  last_write_ = std::chrono::steady_clock::now();
  do_wait();
}

void event_stream::do_watch() {
  socket_.async_wait(net::ip::tcp::socket::wait_read,
                     [self = shared_from_this()](boost::system::error_code ec) { self->on_readable(ec); });
}

void event_stream::on_readable(boost::system::error_code ec) {
  if (ec || closed_) return;  // cancelled: the stream is closing
  std::array<char, 512> dropped;
  boost::system::error_code read_ec;
  const std::size_t bytes = socket_.read_some(net::buffer(dropped), read_ec);
  // Bytes a browser should not send are dropped (at the peer's pace: one small read per wake-up).
  if ((!read_ec && bytes > 0) || read_ec == net::error::would_block) return do_watch();
  do_shutdown();  // end of stream or a reset: the browser left
}

void event_stream::do_wait() {
  tick_timer_.expires_after(timing_.tick);
  tick_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) { self->on_tick(ec); });
}

void event_stream::on_tick(boost::system::error_code ec) {
  if (ec || closed_) return;
  const dashboard_event event = state_.since(cursor_);
  if (event.what != dashboard_event::kind::none) {
    cursor_ = event.cursor;
    out_ = format(event, false);
    return do_write();
  }
  if (std::chrono::steady_clock::now() - last_write_ >= timing_.keep_alive) {
    out_ = ": keep-alive\n\n";
    return do_write();
  }
  do_wait();
}

}  // namespace serentak::web
