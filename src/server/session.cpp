// GCC 12 warns that TSan cannot instrument std::atomic_thread_fence, which Asio's fenced blocks use
// (-Wtsan, an error under -Werror). Asio synchronises through its mutexes and strands, which TSan
// does see; the pragma must precede every include, since <atomic> arrives with the first one.
#if defined(__SANITIZE_THREAD__) && !defined(__clang__) && __GNUC__ >= 12
#pragma GCC diagnostic ignored "-Wtsan"
#endif

#include "server/session.hpp"

#include <array>
#include <cstdio>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/optional/optional.hpp>

#include "core/log_text.hpp"
#include "log/line_writer.hpp"
#include "server/connection_registry.hpp"
#include "server/response_plan.hpp"
#include "server/router.hpp"

namespace serentak::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr std::size_t first_read_bytes = 4096;
// After refusing a request (413, 431, 400) the peer may still be sending; reading and dropping
// its bytes for a while before closing keeps the kernel from answering them with a RST that
// would destroy our error response in flight (a "lingering close").
constexpr std::chrono::seconds linger_time{2};
constexpr std::size_t linger_bytes = 4 * 1024 * 1024;

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

// The Date header (RFC 9110 IMF-fixdate), as Werkzeug sends it.
std::string http_date() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buffer[96];  // room for any int, so the compiler can prove no truncation
  std::snprintf(buffer, sizeof buffer, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[utc.tm_wday], utc.tm_mday,
                months[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
  return buffer;
}

// Errors that just mean "this connection is over": the peer left, a deadline passed, or stop().
bool is_routine(const beast::error_code& ec) {
  return ec == net::error::eof || ec == net::error::operation_aborted || ec == net::error::connection_reset ||
         ec == net::error::broken_pipe || ec == net::error::bad_descriptor || ec == net::error::not_connected ||
         ec == beast::error::timeout || ec == http::error::end_of_stream || ec == http::error::partial_message;
}

// The status that answers a request the parser refused, or 0 when the error is not about the request.
int rejection_status(const beast::error_code& ec) {
  if (ec == http::error::header_limit || ec == http::error::buffer_overflow) return 431;
  if (ec == http::error::body_limit) return 413;
  if (ec.category() == http::make_error_code(http::error::bad_method).category() && !is_routine(ec)) return 400;
  return 0;
}

// One connection: read -> route -> wait the plan's delay -> access line -> write -> read again.
// Owned by itself (shared_from_this in every pending handler) and weakly by the registry; every
// member runs on the socket's strand except close(), which only posts to it.
class session final : public connection, public std::enable_shared_from_this<session> {
 public:
  session(tcp::socket&& socket, const session_context& context)
      : stream_(std::move(socket)), delay_timer_(stream_.get_executor()), context_(context) {}

  ~session() override { context_.registry.remove(this); }

  session(const session&) = delete;
  session& operator=(const session&) = delete;

  void run() {
    // Start on the session's strand: the socket's executor.
    net::dispatch(stream_.get_executor(), beast::bind_front_handler(&session::do_read, shared_from_this()));
  }

  void close() override {
    net::post(stream_.get_executor(), beast::bind_front_handler(&session::do_shutdown, shared_from_this()));
  }

 private:
  void do_read() {
    if (closed_) return;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(context_.settings.header_limit_bytes));
    parser_->body_limit(context_.settings.body_limit_bytes);
    if (buffer_.size() > 0) return do_read_request();  // a pipelined request is already here
    // Idle: wait for the first byte of the next request under the keep-alive timeout.
    stream_.expires_after(context_.settings.idle_timeout);
    stream_.async_read_some(buffer_.prepare(first_read_bytes),
                            beast::bind_front_handler(&session::on_first_bytes, shared_from_this()));
  }

  void on_first_bytes(beast::error_code ec, std::size_t bytes) {
    if (ec) return fail(ec, "read");
    buffer_.commit(bytes);
    do_read_request();
  }

  // The request has begun: all of it must arrive within the request timeout.
  void do_read_request() {
    stream_.expires_after(context_.settings.request_timeout);
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t /*bytes*/) {
    if (ec) return fail(ec, "read");
    const auto& request = parser_->get();
    keep_alive_ = request.keep_alive();
    version_ = request.version();
    plan_ = context_.routes.route(request.method_string(), request.target());
    do_delay();
  }

  void do_delay() {
    if (plan_.delay.count() <= 0) return on_delay({});
    delay_timer_.expires_after(plan_.delay);
    delay_timer_.async_wait(beast::bind_front_handler(&session::on_delay, shared_from_this()));
  }

  void on_delay(beast::error_code ec) {
    if (ec) return fail(ec, "delay");
    // One write(2) per whole line: lines from all sessions never interleave.
    if (!plan_.access_line.empty() && context_.settings.access_log_fd >= 0) {
      log::write_fully(context_.settings.access_log_fd, plan_.access_line);
    }
    do_write();
  }

  void do_write() {
    response_ = {};
    response_.version(version_);
    response_.result(static_cast<unsigned>(plan_.status));
    response_.set(http::field::server, "serentak");
    response_.set(http::field::date, http_date());
    response_.set(http::field::content_type, plan_.content_type);
    if (plan_.allow_header) response_.set(http::field::allow, allowed_methods);
    response_.set("X-Serentak-Delay-Ms", std::to_string(delay_ms(plan_)));
    response_.keep_alive(keep_alive_ && !plan_.close);
    if (plan_.omit_body) {
      response_.content_length(plan_.body.size());  // HEAD: the length GET would send, no bytes
    } else {
      response_.body() = std::move(plan_.body);
      response_.prepare_payload();
    }
    stream_.expires_after(context_.settings.request_timeout);
    http::async_write(stream_, response_,
                      beast::bind_front_handler(&session::on_write, shared_from_this(), response_.need_eof()));
  }

  void on_write(bool close, beast::error_code ec, std::size_t /*bytes*/) {
    if (ec) return fail(ec, "write");
    if (close) return do_close();
    do_read();
  }

  // The response said "Connection: close": send FIN; after a refused request, drain the peer's
  // leftover bytes for a while first (see linger_time).
  void do_close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    if (!lingering_) return;  // the session ends: its socket closes with it
    drain_buffer_ = std::make_unique<std::array<char, 16 * 1024>>();
    stream_.expires_after(linger_time);
    do_drain();
  }

  void do_drain() {
    stream_.async_read_some(net::buffer(*drain_buffer_),
                            beast::bind_front_handler(&session::on_drain, shared_from_this()));
  }

  void on_drain(beast::error_code ec, std::size_t bytes) {
    if (ec) return;  // EOF, timeout or stop(): done
    drained_ += bytes;
    if (drained_ < linger_bytes) do_drain();
  }

  // Answers a request that could not be read, then closes the connection.
  void reject(int status) {
    plan_ = context_.routes.reject(status);
    keep_alive_ = false;
    lingering_ = true;
    on_delay({});
  }

  // stop(): cancel whatever the session waits on; every pending handler then ends it.
  void do_shutdown() {
    closed_ = true;
    delay_timer_.cancel();
    stream_.close();
  }

  void fail(beast::error_code ec, const char* what) {
    if (closed_) return;
    if (int status = rejection_status(ec); status != 0 && std::string_view(what) == "read") return reject(status);
    if (is_routine(ec) || context_.settings.error_fd < 0) return;
    std::string line = "[SERVER] connection error during ";
    line.append(what).append(": ").append(escape_for_log(ec.message())).append("\n");
    log::write_fully(context_.settings.error_fd, line);
  }

  beast::tcp_stream stream_;
  net::steady_timer delay_timer_;
  session_context context_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<discard_body>> parser_;
  http::response<http::string_body> response_;
  response_plan plan_;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool closed_ = false;     // stop() has closed the stream
  bool lingering_ = false;  // drain the peer's bytes before closing
  std::size_t drained_ = 0;
  std::unique_ptr<std::array<char, 16 * 1024>> drain_buffer_;  // only while lingering
};

}  // namespace

void start_session(tcp::socket socket, const session_context& context) {
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);  // small responses: no Nagle delay
  auto s = std::make_shared<session>(std::move(socket), context);
  if (!context.registry.add(s)) return;  // stop() has begun: the session dies here, closing its socket
  s->run();
}

}  // namespace serentak::server
