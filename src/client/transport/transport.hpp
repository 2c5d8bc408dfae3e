#pragma once
// The contract every HTTP transport of a worker keeps (transport/curl: libcurl; transport/native:
// serentak's own HTTP/1.1), so the worker drives attempts without knowing what carries them:
//
//   start(slot, route)   begin the slot's prepared attempt (transfer::prepare); its clock starts
//   cancel(slot)         end a running attempt without a result (a stop, the end of a run)
//   next_deadline()      when the transport next needs the clock (expire); now when an attempt
//                        already ended and waits to be taken
//   expire(now)          act on what is due by now (timeouts, libcurl's timers)
//   take_finished(out)   hand over every attempt that ended, each with its judged result
//
// Sockets are the transport's own, registered with the worker's socket_poller under the
// transport's listener; the worker waits once for all transports, then calls expire() and
// take_finished() on each. The worker alone decides what a result means (retry, record, stop);
// a transport only reports what happened (core/transport_failure: classify_attempt).
// Owned and used by exactly one worker thread; no locking.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "client/engine/fetch_types.hpp"
#include "client/transport/socket_poller.hpp"
#include "client/transport/transport_choice.hpp"

namespace serentak::client {

class transfer;

// One attempt that ended, with what it came to.
struct ended_attempt {
  transfer* slot = nullptr;
  fetch_result result;
  // The transport refused a reply that libcurl may accept (the native parser is stricter than
  // curl's): under `auto` the worker may send the same plain GET through curl instead.
  bool curl_may_read = false;
};

class transport : public socket_poller::listener {
 public:
  using clock = std::chrono::steady_clock;

  // Starts slot's prepared attempt, routed here by route_request (route.target: what routing
  // parsed from the URL, for the native transport). Returns "" once the attempt runs; it may end
  // at once (a refused connect: it is then in the next take_finished()). Otherwise returns why it
  // could not start: nothing was sent and the slot is not running.
  virtual std::string start(transfer& slot, transport_route&& route) = 0;
  // Ends slot's running attempt without a result; its connection is closed, not reused.
  virtual void cancel(transfer& slot) noexcept = 0;
  // Drops the attempts that ended and were not taken (the caller ends every running slot itself).
  virtual void forget_finished() noexcept = 0;

  virtual std::optional<clock::time_point> next_deadline() = 0;
  virtual void expire(clock::time_point now) = 0;
  // Appends each attempt that ended since the last call; `out` is not cleared and must have room
  // reserved for every attempt that can be running (the worker reserves one per slot), so appending
  // never allocates. Never throws for lack of memory while building a result: that attempt ends
  // `unexpected`, "out of memory".
  virtual void take_finished(std::vector<ended_attempt>& out) = 0;

  // From now on no connection is kept for reuse: idle ones close now, busy ones as their attempt
  // ends (the end of a run).
  virtual void stop_reusing() noexcept = 0;
};

}  // namespace serentak::client
