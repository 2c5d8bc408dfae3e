#include "server/http/session.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/optional/optional.hpp>

#include "core/log_text.hpp"
#include "log/line_writer.hpp"
#include "server/http/access_log.hpp"
#include "server/http/connection_registry.hpp"
#include "server/http/delay_tick.hpp"
#include "server/http/read_block_allocator.hpp"
#include "server/faults/huge_body.hpp"
#include "server/routes/observability_routes.hpp"
#include "server/http/response_head.hpp"
#include "server/routes/response_plan.hpp"
#include "server/routes/router.hpp"
#include "server/stats/server_stats.hpp"
#include "server/http/web_app.hpp"

namespace serentak::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr std::size_t first_read_bytes = read_block_bytes;  // one recycled block (read_block_allocator.hpp)
// After refusing a request (413, 431, 400) the peer may still be sending; reading and dropping
// its bytes for a while before closing keeps the kernel from answering them with a RST that
// would destroy our error response in flight (a "lingering close").
constexpr std::chrono::seconds linger_time{2};
constexpr std::size_t linger_bytes = 4 * 1024 * 1024;
// While a response waits on its delay, a readiness wait watches for the peer leaving; bytes it then
// reads (a pipelined next request) are kept, up to this much, after which the watch stops.
constexpr std::size_t watch_read_bytes = 512;
// Only a wait this long is watched: a shorter one ends soon anyway, and the watch costs a system
// call and a wake-up per request (the seed's 0.1-0.5 s delays: see docs/mock-server.md).
constexpr std::chrono::seconds watched_delay{1};
constexpr std::size_t watch_buffer_limit = 64 * 1024;
// The read buffer's bound above the larger of the header limit and what a watch may prepare:
// Beast 1.74 does not bound a chunk extension or the trailers, which would otherwise grow the
// buffer until the request timeout. A request that fills it gets 413 (see rejection_status).
constexpr std::size_t buffer_slack = 64 * 1024;
constexpr std::size_t huge_write_bytes = 64 * 1024;  // one write of a huge body
constexpr std::chrono::milliseconds drip_tick{100};  // at >= 10 B/s; slower rates tick every 1/rate s
// The deadline timer's shortest check interval, whatever the timeouts (see set_deadline).
constexpr std::chrono::milliseconds min_deadline_check{10};

// The request line's bound (RFC 9112 3: a server should answer a target longer than it will
// parse with 414): method, target and version together, 8 KiB like the header limit's default.
constexpr std::size_t request_line_limit = 8 * 1024;

// A header_limit error on a head whose request line alone passes request_line_limit, or that
// was cut at the header limit before the line's CRLF: the target is too long, 414 rather than 431.
bool request_line_too_long(std::string_view head) {
  std::size_t end = head.find("\r\n");
  return end == std::string_view::npos || end > request_line_limit;
}

// A request body that is counted (against body_limit) and dropped: no seed route reads a body,
// and keeping it would let each connection pin up to body_limit bytes of memory.
struct discard_body {
  struct value_type {};

  class reader {
   public:
    template <bool isRequest, class Fields>
    reader(http::header<isRequest, Fields>& /*header*/, value_type& /*body*/) {}
    void init(const boost::optional<std::uint64_t>& /*content_length*/, beast::error_code& ec) { ec = {}; }
    template <class ConstBufferSequence>
    std::size_t put(const ConstBufferSequence& buffers, beast::error_code& ec) {
      ec = {};
      return net::buffer_size(buffers);
    }
    void finish(beast::error_code& ec) { ec = {}; }
  };
};

// The statistics name of a transport fault.
std::string_view delivery_name(delivery how) {
  switch (how) {
    case delivery::normal:
      return "";
    case delivery::reset:
      return "reset";
    case delivery::close_early:
      return "close_early";
    case delivery::truncate:
      return "truncate";
    case delivery::drip:
      return "drip";
    case delivery::hang:
      return "hang";
    case delivery::huge:
      return "huge";
  }
  return "";
}

// Errors that just mean "this connection is over": the peer left, a deadline passed, or stop().
bool is_routine(const beast::error_code& ec) {
  return ec == net::error::eof || ec == net::error::operation_aborted || ec == net::error::connection_reset ||
         ec == net::error::broken_pipe || ec == net::error::bad_descriptor || ec == net::error::not_connected ||
         ec == beast::error::timeout || ec == http::error::end_of_stream || ec == http::error::partial_message ||
         ec == net::ssl::error::stream_truncated;  // a TLS peer that closed without close_notify
}

// The status that answers a request the parser refused, or 0 when the error is not about the request.
int rejection_status(const beast::error_code& ec, std::string_view unread) {
  if (ec == http::error::header_limit) return request_line_too_long(unread) ? 414 : 431;
  // The read buffer fills only after the head (which header_limit bounds, far below the buffer's
  // limit): in the body's framing, an endless chunk extension or trailer section. Too large a
  // request body, then, not a header field: 413.
  if (ec == http::error::body_limit || ec == http::error::buffer_overflow) return 413;
  if (ec.category() == http::make_error_code(http::error::bad_method).category() && !is_routine(ec)) return 400;
  return 0;
}

// One connection: read -> route -> wait the plan's delay -> access line -> deliver -> read again.
// Owned by itself (shared_from_this in every pending handler) and weakly by the registry; every
// member runs on the one thread of the socket's io_context except close(), which only posts to it.
//
// Stream is beast::tcp_stream (http://) or beast::ssl_stream over one (https://, --tls-cert): one
// code path for both. Over TLS the session first completes the handshake under request_timeout,
// and does not watch the peer during a delay (a raw read would eat TLS records, and cancelling a
// read inside OpenSSL's state machine is not safe to resume): a peer that leaves is then noticed
// when its response is written.
template <class Stream>
class session final : public connection, public std::enable_shared_from_this<session<Stream>> {
  static constexpr bool is_tls = !std::is_same_v<Stream, beast::tcp_stream>;

 public:
  session(Stream&& stream, const session_context& context)
      : stream_(std::move(stream)),
        delay_timer_(stream_.get_executor()),
        deadline_timer_(stream_.get_executor()),
        context_(context),
        deadline_check_(std::max<std::chrono::steady_clock::duration>(
            std::min(context.settings.request_timeout, context.settings.idle_timeout), min_deadline_check)),
        buffer_(std::max(context.settings.header_limit_bytes, watch_buffer_limit + watch_read_bytes) + buffer_slack) {
    context_.stats.connection_opened();
  }

  ~session() override {
    if (in_request_) context_.stats.request_cancelled();  // the peer left, or stop(), before the answer
    context_.stats.connection_closed();
    context_.registry.remove(this);
  }

  session(const session&) = delete;
  session& operator=(const session&) = delete;

  void run() {
    // Start on the socket's executor (its io_context's one thread).
    if constexpr (is_tls) {
      net::dispatch(stream_.get_executor(), beast::bind_front_handler(&session::do_handshake, this->shared_from_this()));
    } else {
      net::dispatch(stream_.get_executor(), beast::bind_front_handler(&session::do_read, this->shared_from_this()));
    }
  }

  void close() override {
    net::post(stream_.get_executor(), beast::bind_front_handler(&session::do_shutdown, this->shared_from_this()));
  }

 private:
  beast::tcp_stream& tcp() { return beast::get_lowest_layer(stream_); }

  // ---- TLS: the handshake, bounded like a request ----

  void do_handshake() {
    if constexpr (is_tls) {
      set_deadline(context_.settings.request_timeout);
      stream_.async_handshake(net::ssl::stream_base::server,
                              beast::bind_front_handler(&session::on_handshake, this->shared_from_this()));
    }
  }

  void on_handshake(beast::error_code ec) {
    if (ec) return fail(ec, "TLS handshake");
    do_read();
  }

  // ---- reading a request ----

  void do_read() {
    if (closed_) return;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(context_.settings.header_limit_bytes));
    parser_->body_limit(context_.settings.body_limit_bytes);
    if (buffer_.size() > 0) return do_read_request();  // a pipelined request is already here
    // Idle: wait for the first byte of the next request under the keep-alive timeout.
    set_deadline(context_.settings.idle_timeout);
    stream_.async_read_some(buffer_.prepare(first_read_bytes),
                            beast::bind_front_handler(&session::on_first_bytes, this->shared_from_this()));
  }

  void on_first_bytes(beast::error_code ec, std::size_t bytes) {
    if (ec) return fail(ec, "read");
    buffer_.commit(bytes);
    do_read_request();
  }

  // The request has begun: all of it, head and body, must arrive within the request timeout
  // (one deadline for the whole read, however slowly the bytes trickle in: slowloris).
  void do_read_request() {
    set_deadline(context_.settings.request_timeout);
    beast::error_code ec;
    if (parse_buffered_head(ec)) return on_header(ec, 0);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&session::on_header, this->shared_from_this()));
  }

  // Parses what has been read, as Beast's read operation would first do: true when that settles the
  // head (parsed whole, or refused with ec). Most requests arrive in one read, and Beast completes
  // even those through a composed operation and a posted handler. False: more bytes are needed,
  // and async_read_header reads them, going on from the same parser and buffer.
  bool parse_buffered_head(beast::error_code& ec) {
    while (buffer_.size() > 0 && !parser_->is_header_done()) {
      const std::size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == http::error::need_more) {
        ec = {};
        return false;
      }
      if (ec) return true;
      if (used == 0) return false;
    }
    return parser_->is_header_done();
  }

  void on_header(beast::error_code ec, std::size_t /*bytes*/) {
    if (ec) return fail(ec, "read");
    // Request smuggling: a Transfer-Encoding next to a Content-Length, or one whose last coding is
    // not chunked, leaves the body's length ambiguous (RFC 9112 6.1). Beast refuses some orders
    // of these fields but not all (TE: gzip + Content-Length passes), so refuse them all here.
    const auto& request = parser_->get();
    if (request.count(http::field::transfer_encoding) > 0 &&
        (request.count(http::field::content_length) > 0 || !parser_->chunked())) {
      return reject(400);
    }
    // RFC 9112 3.2: an HTTP/1.1 request carries exactly one Host field (HTTP/1.0 may omit it).
    if (request.version() >= 11 && request.count(http::field::host) != 1) return reject(400);
    if (request.method_string().size() + request.target().size() + 10 > request_line_limit) return reject(414);
    if (parser_->is_done()) return on_read({}, 0);
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&session::on_read, this->shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t /*bytes*/) {
    if (ec) return fail(ec, "read");
    clear_deadline();  // read whole: the delay (or a hang) is bounded by its own timer
    const auto& request = parser_->get();
    keep_alive_ = request.keep_alive();
    version_ = request.version();
    if (context_.app != nullptr) return answer_by_app();
    // The statistics are read before this request counts as in flight, so they do not see themselves.
    if (context_.renders != nullptr && is_observability_request(request.method_string(), request.target())) {
      return render_elsewhere([&stats = context_.stats, method = std::string(request.method_string()),
                               target = std::string(request.target())] {
        return observability_plan(method, target, stats);
      });
    }
    if (auto own = observability_plan(request.method_string(), request.target(), context_.stats)) {
      begin_request();
      plan_ = std::move(*own);
    } else {
      begin_request();
      plan_ = context_.routes.route(request.method_string(), request.target());
      if (context_.hook != nullptr && *context_.hook) (*context_.hook)(request.target(), plan_);
    }
    parser_.reset();  // the request's fields are not needed any more
    do_delay();
  }

  // An application answers instead of the router (web_app.hpp); a stream takes the socket away.
  void answer_by_app() {
    const auto& request = parser_->get();
    auto field = [&](http::field f) {
      auto it = request.find(f);
      return it == request.end() ? std::string_view{} : std::string_view(it->value());
    };
    app_request asked{request.method_string(), request.target(), field(http::field::authorization),
                      request["Last-Event-ID"], version_};
    if (context_.renders != nullptr && context_.app->answers_slowly(asked)) {
      // A database read: on the render thread, so this I/O thread's other connections go on.
      return render_elsewhere([app = context_.app, method = std::string(asked.method), target = std::string(asked.target),
                               authorization = std::string(asked.authorization),
                               last_event_id = std::string(asked.last_event_id), version = asked.version] {
        return std::optional<response_plan>(
            app->answer(app_request{method, target, authorization, last_event_id, version}).plan);
      });
    }
    app_answer answer = context_.app->answer(asked);
    if (answer.stream) {
      if constexpr (is_tls) {
        answer.plan = context_.routes.reject(501);
        answer.plan.how = delivery::normal;
      } else {
        clear_deadline();
        deadline_timer_.cancel();
        tcp::socket socket = tcp().release_socket();
        context_.app->adopt(std::move(socket), asked, context_.registry);
        parser_.reset();
        closed_ = true;  // nothing of this session is pending: it ends when this handler returns
        return;
      }
    }
    begin_request();
    plan_ = std::move(answer.plan);
    parser_.reset();
    do_delay();
  }

  // The answer is rendered on context_.renders (render() returns the plan, or nullopt for none),
  // then carried out here like any plan. Until it comes back nothing of this session is pending on
  // its io_context, so a work guard keeps that io_context running (a server that is stopping waits
  // for the render, bounded by its drain deadline).
  template <class Render>
  void render_elsewhere(Render render) {
    parser_.reset();
    auto home = stream_.get_executor();
    net::post(*context_.renders, [self = this->shared_from_this(), home, guard = net::prefer(home, net::execution::outstanding_work.tracked),
                                  render = std::move(render)]() mutable {
      std::optional<response_plan> plan;
      try {
        plan = render();
      } catch (...) {  // out of memory: nothing escapes the render thread; the connection is dropped below
      }
      net::post(home, [self = std::move(self), plan = std::move(plan)]() mutable {
        if (self->closed_ || !plan) return;  // stop() closed the stream meanwhile, or the render failed
        self->begin_request();
        self->plan_ = std::move(*plan);
        self->do_delay();
      });
      guard = {};  // the render is done: the io_context may end once the posted answer has run
    });
  }

  // ---- waiting: the plan's delay, or a hang ----

  void do_delay() {
    if (plan_.how == delivery::hang) return wait(context_.settings.idle_timeout);  // bounded like an idle peer
    if (plan_.delay.count() <= 0) return on_delay({});
    wait(plan_.delay);
  }

  void wait(std::chrono::nanoseconds how_long) {
    // Thousands of connections may wait at once: hold no read buffer while waiting.
    if (buffer_.size() == 0) buffer_.shrink_to_fit();
    waiting_ = true;
    // A planned delay ends on its shared tick (delay_tick.hpp); a hang is only a bound.
    if (plan_.how == delivery::hang) {
      delay_timer_.expires_after(how_long);
    } else {
      delay_timer_.expires_at(delay_deadline(std::chrono::steady_clock::now(), how_long));
    }
    delay_timer_.async_wait(beast::bind_front_handler(&session::on_delay, this->shared_from_this()));
    if (how_long >= watched_delay) do_watch_peer();
  }

  // A wait for readability during the delay, so a peer that leaves cancels its timer at once
  // instead of being noticed only when the response is written. A readiness wait, not a read: it
  // holds no buffer while it waits. (It still costs one system call, Asio's epoll_ctl that re-arms
  // the socket, as the read's failing speculative recv did: hence watched_delay.) No deadline is
  // set meanwhile: the delay's timer bounds it.
  //
  // When the delay ends the watch is not cancelled (a cancel and its handler per request): it
  // lapses, and completes at the connection's next readiness alongside the next request's read, or
  // is taken up again by the next delay (one watch pending at most). Its handler holds the session
  // weakly: while a delay is watched the delay's timer keeps the session alive, and a lapsed watch
  // must not keep one whose connection has ended (a "Connection: close" answer whose client stays).
  void do_watch_peer() {
    if constexpr (is_tls) return;  // see the class comment
    if (watch_pending_) return;  // a lapsed watch is still pending: it serves this wait
    if (buffer_.size() >= watch_buffer_limit) return;  // a client pipelining this much is not watched
    watch_pending_ = true;
    tcp().socket().async_wait(tcp::socket::wait_read, [self = this->weak_from_this()](beast::error_code ec) {
      if (auto alive = self.lock()) alive->on_watch(ec);
    });
  }

  // The socket is readable while the answer waits: a pipelined request's bytes (kept for the next
  // read), the peer's FIN, or an error. Read without blocking; nothing there is a spurious wake.
  // Read onto the stack first, so a wake for nothing takes no buffer for the rest of the wait.
  beast::error_code read_watched_bytes() {
    std::array<char, watch_read_bytes> bytes;
    const ssize_t n = ::recv(tcp().socket().native_handle(), bytes.data(), bytes.size(), MSG_DONTWAIT);
    if (n > 0) {
      const auto count = static_cast<std::size_t>(n);
      net::buffer_copy(buffer_.prepare(count), net::buffer(bytes.data(), count));
      buffer_.commit(count);
      return {};
    }
    if (n == 0) return net::error::eof;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return net::error::would_block;
    return {errno, boost::system::system_category()};
  }

  void on_watch(beast::error_code ec) {
    watch_pending_ = false;
    if (closed_ || !waiting_) return;  // stopped, or a lapsed watch: no delay is being watched now
    // Readable: the bytes may already have gone to a read of the last request's, so a read finding
    // nothing (would_block) is a wake-up for nothing.
    if (!ec) ec = read_watched_bytes();
    if (ec == net::error::would_block) return do_watch_peer();
    if (ec == net::error::eof && !keep_alive_ && plan_.how != delivery::hang) {
      // A half-close after a request that ends its connection (HTTP/1.0, "Connection: close",
      // `nc -N`): the client is done sending, not gone. Stop watching; the timer still runs and
      // the response goes out, then the connection closes. (A FIN cannot tell a half-close from
      // a full close; on a keep-alive request it is taken as the client leaving, below.)
      return;
    }
    if (ec) {
      // The peer closed or reset while its answer waited: drop the work and the connection now
      // (the destructor counts the request as cancelled).
      waiting_ = false;
      delay_timer_.cancel();
      beast::error_code ignored;
      tcp().socket().close(ignored);
      return;
    }
    do_watch_peer();
  }

  void on_delay(beast::error_code ec) {
    waiting_ = false;  // the watch, if pending, lapses (do_watch_peer)
    if (ec) return;  // cancelled: stop(), or the peer left
    if (plan_.how == delivery::hang) return end_without_response(false);  // hung as long as allowed
    // Whole lines, queued for access_log's one writer thread: never blocked by a slow reader.
    if (!plan_.access_line.empty() && context_.settings.access_log_fd >= 0) {
      if (context_.access_lines != nullptr) {
        context_.access_lines->push(plan_.access_line);
      } else {
        log::write_fully(context_.settings.access_log_fd, plan_.access_line);
      }
    }
    deliver();
  }

  // ---- delivering the response ----

  void deliver() {
    const bool close_after = !keep_alive_ || plan_.close;
    const std::string_view body = plan_.omit_body ? std::string_view{} : std::string_view(plan_.body);
    switch (plan_.how) {
      case delivery::reset:
        return end_without_response(true);
      case delivery::close_early:
      case delivery::hang:
        return end_without_response(false);
      case delivery::truncate: {
        // The whole body's Content-Length, half of its bytes, then the connection closes.
        head_ = response_head(plan_, {version_, false, plan_.body.size()});
        return write_head_and(body.substr(0, body.size() / 2), true);
      }
      case delivery::drip: {
        drip_bytes_ = response_head(plan_, {version_, !close_after, plan_.body.size()});
        drip_bytes_.append(body);
        drip_sent_ = 0;
        drip_start_ = std::chrono::steady_clock::now();
        return do_drip(close_after);
      }
      case delivery::huge: {
        head_ = response_head(plan_, {version_, !close_after, plan_.huge_body_bytes});
        huge_sent_ = plan_.omit_body ? plan_.huge_body_bytes : 0;
        arm_write_deadline();
        return net::async_write(stream_, net::buffer(head_),
                                beast::bind_front_handler(&session::on_huge, this->shared_from_this(), close_after));
      }
      case delivery::normal:
        break;
    }
    head_ = response_head(plan_, {version_, !close_after, plan_.body.size()});
    write_head_and(body, close_after);
  }

  void write_head_and(std::string_view body, bool close_after) {
    std::array<net::const_buffer, 2> buffers{net::buffer(head_), net::buffer(body.data(), body.size())};
    arm_write_deadline();
    net::async_write(stream_, buffers, beast::bind_front_handler(&session::on_write, this->shared_from_this(), close_after));
  }

  // delivery::reset (abortive: RST) or an orderly close (FIN) without a response byte.
  void end_without_response(bool abortive) {
    finish_request(0);
    beast::error_code ignored;
    if (abortive) {
      tcp().socket().set_option(net::socket_base::linger(true, 0), ignored);
    } else {
      tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
    }
    tcp().socket().close(ignored);
  }

  // delivery::drip: a few bytes, then a tick on the timer (no thread sleeps), until all are sent.
  // Each tick sends what is due by the tick's end at the exact rate, counted from the drip's start:
  // no remainder is lost to rounding (19 B/s is not 10) and a late timer is caught up.
  void do_drip(bool close_after) {
    std::uint64_t rate = plan_.drip_bytes_per_second;
    std::size_t due = drip_bytes_.size();
    if (rate != 0) {
      std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - drip_start_;
      double per_tick = rate >= 10 ? static_cast<double>(rate) / 10 : 1.0;  // what a tick adds
      double by_tick_end = static_cast<double>(rate) * elapsed.count() + per_tick;
      if (by_tick_end < static_cast<double>(due)) due = static_cast<std::size_t>(by_tick_end);
    }
    std::size_t n = due > drip_sent_ ? due - drip_sent_ : 0;
    if (n == 0) return drip_wait(close_after);  // nothing due yet
    arm_write_deadline();
    net::async_write(stream_, net::buffer(drip_bytes_.data() + drip_sent_, n),
                     beast::bind_front_handler(&session::on_drip, this->shared_from_this(), close_after));
  }

  void on_drip(bool close_after, beast::error_code ec, std::size_t bytes) {
    end_write();
    if (ec) return fail(ec, "write");
    drip_sent_ += bytes;
    if (drip_sent_ >= drip_bytes_.size()) {
      drip_bytes_ = {};
      return on_write(close_after, {}, 0);
    }
    drip_wait(close_after);
  }

  std::chrono::nanoseconds drip_tick_length() const {
    std::uint64_t rate = plan_.drip_bytes_per_second;
    return rate >= 10 || rate == 0 ? std::chrono::nanoseconds(drip_tick)
                                   : std::chrono::nanoseconds(std::chrono::seconds(1)) / static_cast<long>(rate);
  }

  void drip_wait(bool close_after) {
    delay_timer_.expires_after(drip_tick_length());
    delay_timer_.async_wait([self = this->shared_from_this(), close_after](beast::error_code wait_ec) {
      if (!wait_ec && !self->closed_) self->do_drip(close_after);
    });
  }

  // delivery::huge: the generated body in pieces of static bytes, never held whole.
  void on_huge(bool close_after, beast::error_code ec, std::size_t /*bytes*/) {
    end_write();
    if (ec) return fail(ec, "write");
    std::string_view piece = huge_body_piece(plan_.huge_body_bytes, huge_sent_, huge_write_bytes);
    if (piece.empty()) return on_write(close_after, {}, 0);
    huge_sent_ += piece.size();
    arm_write_deadline();
    net::async_write(stream_, net::buffer(piece.data(), piece.size()),
                     beast::bind_front_handler(&session::on_huge, this->shared_from_this(), close_after));
  }

  void on_write(bool close, beast::error_code ec, std::size_t /*bytes*/) {
    end_write();
    if (ec) return fail(ec, "write");
    finish_request(plan_.status);
    if (close) return do_close();
    do_read();
  }

  // Each response write must finish within request_timeout.
  void arm_write_deadline() {
    writing_ = true;
    set_deadline(context_.settings.request_timeout);
  }

  void end_write() {
    writing_ = false;
    clear_deadline();
  }

  // ---- the connection's one deadline ----

  // The phase that is pending (the TLS handshake, a request's read, the keep-alive wait, a
  // response's write, the linger) must end by deadline_at_. Moving the deadline later, as each
  // request does, only stores a time: the timer fires at least every deadline_check_ and arms
  // itself again until the stored time has passed, where Beast's per-operation timeouts and a write
  // timer armed and cancelled two timers per request (issue 19: bench/RESULTS.md has the before and
  // after). The timer's handler holds the session weakly, so a pending check never keeps a finished
  // one alive.
  void set_deadline(std::chrono::steady_clock::duration after) {
    const auto now = std::chrono::steady_clock::now();
    deadline_at_ = now + after;
    if (!deadline_armed_ || deadline_timer_.expiry() > deadline_at_) arm_deadline(now);
  }

  void clear_deadline() { deadline_at_ = std::chrono::steady_clock::time_point::max(); }

  void arm_deadline(std::chrono::steady_clock::time_point now) {
    deadline_armed_ = true;
    deadline_timer_.expires_at(std::min(deadline_at_, now + deadline_check_));  // cancels a pending check
    deadline_timer_.async_wait([self = this->weak_from_this()](beast::error_code ec) {
      if (auto alive = self.lock()) alive->on_deadline(ec);
    });
  }

  void on_deadline(beast::error_code ec) {
    if (ec || closed_) return;  // cancelled: armed again, stop(), or the socket was handed away
    const auto now = std::chrono::steady_clock::now();
    if (deadline_timer_.expiry() > now) return;  // armed again after this check had fired: that one is pending
    deadline_armed_ = false;
    if (deadline_at_ == std::chrono::steady_clock::time_point::max()) return;  // nothing bounded now
    if (deadline_at_ > now) return arm_deadline(now);
    clear_deadline();
    beast::error_code ignored;
    // A write past its deadline resets the connection. An orderly close would queue a FIN behind the
    // unsent bytes, so a peer that never reads would never see it, and the kernel would keep the
    // orphaned socket and its send buffer (megabytes) for minutes; a reset drops them at once.
    if (writing_) tcp().socket().set_option(net::socket_base::linger(true, 0), ignored);
    tcp().socket().close(ignored);  // the pending operation ends with operation_aborted
  }

  // ---- closing ----

  // The response said "Connection: close": send FIN; after a refused request, drain the peer's
  // leftover bytes for a while first (see linger_time).
  void do_close() {
    beast::error_code ignored;
    tcp().socket().shutdown(tcp::socket::shutdown_send, ignored);
    if (!lingering_) return;  // the session ends: its socket closes with it
    drain_buffer_ = std::make_unique<std::array<char, 16 * 1024>>();
    set_deadline(linger_time);
    do_drain();
  }

  void do_drain() {
    stream_.async_read_some(net::buffer(*drain_buffer_),
                            beast::bind_front_handler(&session::on_drain, this->shared_from_this()));
  }

  void on_drain(beast::error_code ec, std::size_t bytes) {
    if (ec) return;  // EOF, timeout or stop(): done
    drained_ += bytes;
    if (drained_ < linger_bytes) do_drain();
  }

  // Answers a request that could not be read, then closes the connection.
  void reject(int status) {
    clear_deadline();
    begin_request();
    plan_ = context_.routes.reject(status);
    plan_.route = {};
    plan_.how = delivery::normal;
    keep_alive_ = false;
    lingering_ = true;
    on_delay({});
  }

  // stop(): cancel whatever the session waits on; every pending handler then ends it.
  void do_shutdown() {
    closed_ = true;
    delay_timer_.cancel();
    deadline_timer_.cancel();
    tcp().close();
  }

  void fail(beast::error_code ec, const char* what) {
    if (closed_) return;
    // Beast has taken the request line out of the buffer once it parsed it; before that the buffer
    // starts with it.
    const bool line_parsed = parser_ && !parser_->get().target().empty();
    const auto unread = buffer_.data();
    std::string_view head = line_parsed ? std::string_view("\r\n")
                                        : std::string_view(static_cast<const char*>(unread.data()), unread.size());
    if (int status = rejection_status(ec, head); status != 0 && std::string_view(what) == "read") return reject(status);
    if (is_routine(ec) || context_.settings.error_fd < 0) return;
    std::string line = "[SERVER] connection error during ";
    line.append(what).append(": ").append(escape_for_log(ec.message())).append("\n");
    log::write_fully(context_.settings.error_fd, line);
  }

  // ---- statistics ----

  void begin_request() {
    request_start_ = std::chrono::steady_clock::now();
    in_request_ = true;
    context_.stats.request_started();
  }

  // status 0: the connection was ended without a response.
  void finish_request(int status) {
    if (!in_request_) return;
    in_request_ = false;
    std::string_view fault = plan_.fault.empty() ? delivery_name(plan_.how) : plan_.fault;
    context_.stats.request_finished(plan_.route, status, fault, std::chrono::steady_clock::now() - request_start_);
  }

  Stream stream_;
  net::steady_timer delay_timer_;     // the plan's delay, a hang's bound, the drip's ticks
  net::steady_timer deadline_timer_;  // checks deadline_at_ (set_deadline)
  session_context context_;
  std::chrono::steady_clock::duration deadline_check_;  // the longest the timer waits between checks
  std::chrono::steady_clock::time_point deadline_at_ = std::chrono::steady_clock::time_point::max();  // max: none
  bool deadline_armed_ = false;  // a check of deadline_timer_ is pending
  beast::basic_flat_buffer<read_block_allocator<char>> buffer_;
  std::optional<http::request_parser<discard_body>> parser_;
  response_plan plan_;
  std::string head_;        // the response head being written
  std::string drip_bytes_;  // delivery::drip: the whole response
  std::size_t drip_sent_ = 0;
  std::chrono::steady_clock::time_point drip_start_;  // delivery::drip: when its first bytes went out
  std::uint64_t huge_sent_ = 0;                       // delivery::huge: body bytes handed to the socket
  std::chrono::steady_clock::time_point request_start_;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool closed_ = false;              // stop() has closed the stream
  bool lingering_ = false;           // drain the peer's bytes before closing
  bool in_request_ = false;          // counted as started, not yet as finished
  bool waiting_ = false;             // the delay (or hang) timer is pending
  bool writing_ = false;             // a response write is pending, under the deadline
  bool watch_pending_ = false;       // the peer watch's readiness wait is pending (maybe lapsed)
  std::size_t drained_ = 0;
  std::unique_ptr<std::array<char, 16 * 1024>> drain_buffer_;  // only while lingering
};

}  // namespace

void start_session(tcp::socket socket, const session_context& context) {
  // TCP_NODELAY comes from the listening socket (see listener.cpp).
  if (context.tls != nullptr) {
    using tls_session = session<beast::ssl_stream<beast::tcp_stream>>;
    auto s = std::make_shared<tls_session>(beast::ssl_stream<beast::tcp_stream>(std::move(socket), *context.tls), context);
    if (!context.registry.add(s)) return;  // stop() has begun: the session dies here, closing its socket
    s->run();
    return;
  }
  auto s = std::make_shared<session<beast::tcp_stream>>(beast::tcp_stream(std::move(socket)), context);
  if (!context.registry.add(s)) return;
  s->run();
}

}  // namespace serentak::server
