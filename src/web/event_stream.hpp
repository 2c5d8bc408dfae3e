#pragma once
// One /events connection (Server-Sent Events), after the session has handed its socket over
// (server/http/web_app.hpp). It pulls rather than being pushed to: every tick (250 ms) it asks
// dashboard_state what is new since the last id it sent, so the checks never wait on a slow
// browser, changes are coalesced into one delta per tick (at most ~250 ms after a check ends), and
// a stream holds at most one event in memory whatever the client reads. A comment line every 15 s
// keeps proxies from closing an idle stream; a write that does not finish in 30 s resets it. A
// browser never sends on a stream after its request, so the socket turning readable means it left
// (FIN or reset): a wait for that (no read is tried before it) ends the stream at once, instead of
// at the next write, which could be a keep-alive 15 s away.
// Owned by itself (shared_from_this in each pending handler) and weakly by the server's
// connection_registry, whose stop() closes it; runs on its socket's io_context's one thread.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "server/http/connection_registry.hpp"
#include "web/dashboard_state.hpp"

namespace serentak::web {

struct stream_timing {
  std::chrono::milliseconds tick{250};          // how often a stream looks for news
  std::chrono::milliseconds keep_alive{15000};  // a comment after this long without an event
  std::chrono::milliseconds write_timeout{30000};
};

class event_stream final : public server::connection, public std::enable_shared_from_this<event_stream> {
 public:
  // head: the response head, sent before the first event. open_streams counts the live streams (the
  // app's cap); it is decremented when this stream ends.
  event_stream(boost::asio::ip::tcp::socket socket, const dashboard_state& state, std::optional<event_cursor> resume,
               std::string head, server::connection_registry& registry, std::atomic<std::size_t>& open_streams,
               stream_timing timing = {});
  ~event_stream() override;

  void start();
  void close() override;

  // "id: E.V\nevent: snapshot\ndata: {...}\n\n" (with "retry: 1000" on the first).
  static std::string format(const dashboard_event& event, bool first);

 private:
  void do_write();
  void on_write(boost::system::error_code ec, std::size_t bytes);
  void do_wait();
  void on_tick(boost::system::error_code ec);
  void do_watch();
  void on_readable(boost::system::error_code ec);
  void on_write_deadline(boost::system::error_code ec);
  void do_shutdown();

  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer tick_timer_;
  boost::asio::steady_timer write_deadline_;
  const dashboard_state& state_;
  std::optional<event_cursor> cursor_;  // the last id sent (or the client's Last-Event-ID)
  std::string out_;                     // the bytes being written
  server::connection_registry& registry_;
  std::atomic<std::size_t>& open_;
  stream_timing timing_;
  std::chrono::steady_clock::time_point last_write_;
  bool first_ = true;
  bool writing_ = false;
  bool closed_ = false;
};

}  // namespace serentak::web
