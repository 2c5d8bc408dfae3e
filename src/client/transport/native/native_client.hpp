#pragma once
// The native HTTP/1.1 transport of one worker (the transport contract: client/transport/transport.hpp):
// plain http:// requests on non-blocking sockets in the worker's socket_poller, next to curl's. Keeps connections alive and reuses
// them (a bounded idle pool per host:port), writes each request with one send, reads responses
// with native_response (Beast's parser), and enforces the policy's attempt and connect timeouts
// and body cap. A finished attempt leaves its facts in the slot's native_exchange and waits in
// take_finished(), which turns them into a result by the same table as curl's (classify_attempt).
// Owned and used by one worker thread; no locking. Its destructor closes every socket it opened;
// the poller it registers with must outlive it.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "client/transport/native/native_connection.hpp"
#include "client/transport/native/native_exchange.hpp"
#include "client/transport/transport.hpp"

namespace serentak::client {

class native_client final : public transport {
 public:
  // policy: the run's (kept by reference; its request shape gives method and header lines).
  // max_idle: connections kept open without a request, over all hosts (the worker's slots).
  native_client(socket_poller& poller, const fetch_policy& policy, std::size_t max_idle);
  ~native_client() override;
  native_client(const native_client&) = delete;
  native_client& operator=(const native_client&) = delete;

  // The slot's request goes to route.target; its item fills "{}" in header lines and its body is
  // sent with a Content-Length when the shape has a body. Always starts (""): a connect refused
  // at once ends the attempt at once, as a failure in the next take_finished().
  std::string start(transfer& slot, transport_route&& route) override;
  void cancel(transfer& slot) noexcept override;
  void forget_finished() noexcept override { finished_.clear(); }
  // Ends attempts whose timeout or connect timeout has passed, as curl's OPERATION_TIMEDOUT.
  void expire(clock::time_point now) override;
  // When expire() next has work (now, while an ended attempt waits to be taken); nullopt: no
  // attempt is running.
  std::optional<clock::time_point> next_deadline() override;
  void take_finished(std::vector<ended_attempt>& out) override;
  void stop_reusing() noexcept override;
  void on_socket_ready(int fd, std::uint32_t events) override;

  // Connections opened so far (for tests and measurements).
  std::size_t connections_opened() const noexcept { return opened_; }

 private:
  struct deadline {
    clock::time_point at;
    native_exchange* exchange;
    std::uint64_t id;
  };

  void begin(native_exchange& exchange, std::string url, native_target target, std::string_view item,
             std::string_view body);
  void cancel(native_exchange& exchange) noexcept;
  void connect_and_send(native_exchange& exchange);
  void send_request(native_exchange& exchange);
  void receive(native_exchange& exchange);
  void on_response(native_exchange& exchange);
  bool retry_on_fresh_connection(native_exchange& exchange);
  void follow(native_exchange& exchange);
  void finish(native_exchange& exchange, transport_failure failure, std::string error, bool curl_may_read = false);
  void succeed(native_exchange& exchange);

  native_connection* take_idle(const std::string& key) noexcept;
  void give_back(native_connection& connection) noexcept;
  native_connection* open(const native_target& target, int& error);
  void close(native_connection& connection) noexcept;
  bool watch(native_connection& connection, std::uint32_t events) noexcept;
  bool valid(const deadline& entry, bool connect_phase) const noexcept;
  void prune() noexcept;

  socket_poller& poller_;
  unsigned listener_id_;
  const fetch_policy& policy_;
  std::size_t max_idle_;
  bool reuse_ = true;
  // Connection objects by file descriptor: O(1) from an epoll event to its connection. A slot is
  // kept after its socket closes and reused for the next socket on that descriptor.
  std::vector<std::unique_ptr<native_connection>> by_fd_;
  std::unordered_map<std::string, std::vector<native_connection*>> idle_;  // by pool_key
  std::size_t idle_count_ = 0;
  // Attempt and connect deadlines. Every entry is "when it was pushed + a constant" (the policy's
  // timeout, or its connect timeout), so each queue is sorted by construction: O(1) push and pop,
  // no heap. An entry whose exchange has moved on (id no longer matches) is skipped when reached.
  std::deque<deadline> attempt_deadlines_;
  std::deque<deadline> connect_deadlines_;
  std::uint64_t next_id_ = 1;
  std::vector<native_exchange*> finished_;
  std::vector<char> receive_buffer_;  // one per worker: a response is parsed as soon as it is read
  std::size_t opened_ = 0;
};

}  // namespace serentak::client
