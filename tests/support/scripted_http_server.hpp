#pragma once
// A tiny blocking HTTP/1.1 server on 127.0.0.1 (a kernel-chosen port) for deterministic client
// tests: for each request a user script picks what happens (answer after a delay, close, reset,
// hang, a short body, garbage, bytes dripped or cut by a reset, an endless body), and the server
// counts how many requests it held at once.
//
// Threads: one accept thread plus one thread per connection, all joined by stop() or the
// destructor (RAII; nothing leaks). The script is called concurrently from connection threads
// and must be thread-safe. Counters are guarded by counts_mutex_ and readable from any thread.
// stop() and the destructor belong to the owning thread. Every wait polls the socket together
// with an eventfd that stop() signals, so stop returns promptly whatever the connections do, and
// idle connections cost no CPU.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace serentak::testing {

struct scripted_request {
  std::string method;
  std::string target;        // as sent: "/path?query"
  std::size_t sequence = 0;  // 0-based arrival order over all connections
  std::chrono::steady_clock::time_point arrived;  // when its head had been read
  std::string head;          // the request line and header lines as sent, each ending in CRLF
  std::string body;          // Content-Length bytes after the head (none without one)

  // The value of the first header named name (any case); nullopt when absent.
  std::optional<std::string> header(std::string_view name) const;
};

// What the server does with one request. Every action waits `delay` first (the peer closing
// meanwhile ends the request quietly).
struct scripted_reply {
  enum class action {
    respond,      // status, headers, body; Content-Length added; kept open unless Connection: close
    close,        // close the connection without answering
    reset,        // close with SO_LINGER 0: the peer gets a TCP RST
    hang,         // answer nothing until the peer gives up or the server stops
    short_body,   // headers claim claimed_length bytes, fewer (body) are sent, then close
    garbage,      // send body as raw bytes (no HTTP framing), then close
    drip,         // send body as raw bytes, one byte every per_byte, then close (a slowloris answer)
    reset_after,  // send body as raw bytes; once the peer's kernel has them all, reset (TCP RST)
    stream,       // a 200 whose claimed_length 'x' bytes (Content-Length, or chunked) are made while sent
  };

  action what = action::respond;
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::size_t claimed_length = 0;         // short_body: what the header claims; stream: the body's size
  bool chunked = false;                   // stream only: chunked framing instead of Content-Length
  std::chrono::milliseconds per_byte{0};  // drip only: the pause after each byte
  std::chrono::milliseconds delay{0};

  static scripted_reply respond(int status, std::string body = {}, std::chrono::milliseconds delay = {});
  static scripted_reply close_connection(std::chrono::milliseconds delay = {});
  static scripted_reply reset_connection(std::chrono::milliseconds delay = {});
  static scripted_reply hang();
  static scripted_reply short_body(std::string body, std::size_t claimed_length);
  static scripted_reply garbage(std::string bytes);
  static scripted_reply drip(std::string bytes, std::chrono::milliseconds per_byte);
  static scripted_reply reset_after(std::string bytes);
  // Until the peer leaves: a 10 GB body costs the server 64 KiB, whatever the client reads.
  static scripted_reply stream(std::size_t body_bytes, bool chunked = false);
  scripted_reply& with_header(std::string name, std::string value);
};

class scripted_http_server {
 public:
  using script = std::function<scripted_reply(const scripted_request&)>;

  // Binds 127.0.0.1:0 and starts accepting; throws std::system_error when it cannot.
  explicit scripted_http_server(script reply_for);
  ~scripted_http_server();
  scripted_http_server(const scripted_http_server&) = delete;
  scripted_http_server& operator=(const scripted_http_server&) = delete;

  unsigned short port() const noexcept { return port_; }
  std::string url(std::string_view target) const;  // "http://127.0.0.1:<port>" + target

  std::size_t requests_seen() const;
  // When each request arrived (its head read), in arrival order: for rates and gaps between
  // attempts measured on the server's side.
  std::vector<std::chrono::steady_clock::time_point> arrival_times() const;
  // Every request's target as sent ("/path?query"), in arrival order.
  std::vector<std::string> targets() const;
  // Every request as received (head and body), in arrival order.
  std::vector<scripted_request> requests() const;
  std::size_t connections_accepted() const;
  // The most requests held at once: counted from the request head being read until just before
  // the answer's last bytes are written (or the connection is dropped), so it never exceeds what
  // the client had in flight at some instant, provided the server ends every request itself.
  // A request the client abandons (timeout, cancel) counts until the server sees the close, by
  // which time the client may have sent its next request: no bound holds with hang scripts.
  std::size_t max_concurrent() const;
  // Body bytes written by stream replies (chunk framing not counted): how far a client read
  // before it gave up.
  std::uint64_t bytes_streamed() const;

  void stop();  // idempotent; joins every thread

 private:
  struct connection {
    std::thread thread;
    std::atomic<bool> done{false};
  };

  void accept_loop();
  void serve(int fd) noexcept;
  std::optional<scripted_request> read_request(int fd, std::string& buffer);
  // 1: fd has `events`; 0: timed out (timeout_ms < 0: a long wait); -1: the server is stopping.
  int wait_until(int fd, short events, int timeout_ms);
  bool handle(int fd, const scripted_request& request);
  bool wait_for(int fd, std::chrono::milliseconds delay, bool forever);
  bool send_all(int fd, std::string_view bytes);
  bool send_stream(int fd, const scripted_reply& reply);
  bool wait_until_acknowledged(int fd);
  void reap_finished(bool all);
  void enter();
  void leave();

  script reply_for_;
  int listen_fd_ = -1;
  int stop_fd_ = -1;  // eventfd, readable once stop() was called
  unsigned short port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread accept_thread_;
  // Touched only by the accept thread, then by stop() after it has joined the accept thread.
  std::list<std::unique_ptr<connection>> connections_;

  mutable std::mutex counts_mutex_;  // guards the counters below
  std::size_t active_ = 0;
  std::size_t max_active_ = 0;
  std::size_t requests_ = 0;
  std::size_t accepted_ = 0;
  std::uint64_t streamed_ = 0;
  std::vector<std::chrono::steady_clock::time_point> arrivals_;
  std::vector<std::string> targets_;
  std::vector<scripted_request> requests_seen_;
};

// A local TCP port that nothing listens on (bound, then closed): connecting to it is refused.
unsigned short unused_local_port();

// A handler that answers every request 200 with {"ok": true}.
scripted_reply ok_json(const scripted_request&);

}  // namespace serentak::testing
