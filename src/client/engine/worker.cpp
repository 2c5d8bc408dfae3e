#include "client/engine/worker.hpp"

#include <algorithm>
#include <exception>
#include <stdexcept>
#include <utility>

#include "core/host_key.hpp"

namespace serentak::client {
namespace {

// The longest a worker sleeps in epoll. The stop flag is a plain atomic that nobody can wake us
// for, so this bounds how late a stop is noticed. The loop wakes earlier for ready sockets,
// curl's timers, a due retry or a due rate-limit token.
constexpr auto max_wait = std::chrono::milliseconds(100);

// At most this many new attempts per round of the loop. Starting a transfer on a fresh
// connection costs ~100-200 us (socket, connect, buffers), so filling 5,000 free slots in one go
// would leave the sockets of everything already in flight unserved for most of a second; in
// rounds of this size, responses are read while later requests are still being started.
// (Measured: 10,000 items at -c 10,000 against the mock server, 0.1-0.5 s delays: 3.9 s and a
// mean latency of 2.5 s in one batch; 1.4-1.7 s and 0.33 s in batches of 16-64.)
constexpr std::size_t admit_batch = 32;

// Waiting retries a worker holds before it stops taking new items: enough that a burst of
// failures never starves the slots, bounded so that a server answering everything with
// "503, Retry-After: 120" cannot make the engine read the whole input into memory.
std::size_t parked_limit_for(std::size_t slots) { return std::max<std::size_t>(1024, 4 * slots); }

// Requests a worker holds because their host's budget said "not yet" (--per-host, --host-rate,
// --adaptive) before it stops taking new items: enough to keep other hosts busy while one host
// waits, few enough that a paused host does not pull the input into memory.
constexpr std::size_t held_limit = 64;

// curl's receive buffer per easy handle. Its default, 16 KB, is allocated per handle and
// touched a page or two at a time; past ~1,000 transfers per worker the handles' memory is what
// bounds a run (10,000 in flight), so there a 2 KB buffer (a small API response still fits in
// one read) takes ~2 KB of resident memory per transfer instead of ~6 KB. Large bodies then cost
// more reads; a run that wide is for many small responses.
long receive_buffer_for(std::size_t slots) { return slots > 1024 ? 2048 : 0; }

}  // namespace

worker::worker(std::size_t slots, const worker_context& context, std::uint64_t seed)
    : context_(context),
      slots_(slots),
      parked_limit_(parked_limit_for(slots)),
      // Keep one idle connection per slot, so every finished transfer can leave a warm
      // connection for the next request to the same host. Deliberately no
      // CURLMOPT_MAX_TOTAL_CONNECTIONS: curl would queue the excess inside the multi handle with
      // their timeouts already running. Our slots bound instead.
      curl_(poller_, context.config.policy, static_cast<long>(slots)),
      // As for curl: up to one idle connection per slot.
      native_(poller_, context.config.policy, slots),
      random_(seed) {
  // 8 bytes a slot each, so acquire() and release() never reallocate (a reserve(n + 1) per new
  // transfer would copy the whole list each time: O(n^2) over 10,000 slots).
  pool_.reserve(slots_);
  idle_.reserve(slots_);
  ended_.reserve(slots_);  // at most one ended attempt per slot in flight: reap never allocates
}

void worker::run() noexcept {
  try {
    loop();
    context_.observer.on_turn_end();
    return;
  } catch (const std::exception& e) {
    note_error(std::string("engine worker failed: ") + e.what());
  } catch (...) {
    note_error("engine worker failed: unknown exception");
  }
  end_all(error_);
  context_.observer.on_turn_end();
}

void worker::loop() {
  for (;;) {
    if (stop_requested()) {
      end_all("cancelled");
      return;
    }
    admit();
    if (in_use_ == 0 && exhausted_ && parked_.empty() && held_.empty()) return;  // nothing left to do or to take
    const auto now = clock::now();
    auto deadline = wake_deadline(now);
    for (transport* t : {static_cast<transport*>(&curl_), static_cast<transport*>(&native_)}) {
      if (const auto due = t->next_deadline()) deadline = std::min(deadline, *due);
    }
    context_.observer.on_turn_end();  // what this turn finished and started, written before the wait
    poller_.wait(deadline);
    const auto woke = clock::now();
    curl_.expire(woke);
    native_.expire(woke);
    reap();
  }
}

// Fills free slots: due retries first, then new items from the source. Waiting for a slot, a
// backoff or a rate-limit token never eats into an attempt's timeout, which starts when it is
// sent. A request leaves the retry queue only when it can be sent at once, and the source too, but
// for one request per worker taken while no rate token is due (next_in_hand_).
void worker::admit() {
  token_due_.reset();
  source_due_.reset();
  admit_more_ = false;
  std::size_t started = 0;
  while (in_use_ < slots_ && !stop_requested()) {
    if (started == admit_batch) {
      // Enough for one round: go and serve the sockets of what is already in flight, then
      // come back (the loop does not sleep while admit_more_ is set).
      admit_more_ = true;
      return;
    }
    ++started;
    const auto now = clock::now();
    const bool held_due = held_.due(now);
    const bool retry_due = !held_due && parked_.due(now);
    const bool take_new = !exhausted_ && parked_.size() < parked_limit_ && held_.size() < held_limit;
    if (!held_due && !retry_due && !take_new && !next_in_hand_) return;
    if (!take_token()) {
      // No token yet: the source is asked now all the same, not after the wait. At the end of the
      // source this ends the worker at once and spends no token, where every worker thread used to
      // wait for a token and spend it to learn there was nothing more (a minute each at --rate 1/m).
      // What it gives goes first when the token comes.
      if (!held_due && !retry_due && take_new && !next_in_hand_) {
        bool failed = false;
        next_in_hand_ = next_from_source(failed);
        if (next_in_hand_) {
          ++admitted_;
        } else if (failed || !source_pending()) {
          exhausted_ = true;
          close_connections_as_transfers_end();
        }
      }
      return;
    }

    transfer& slot = acquire();  // before the request is taken: nothing is lost if this throws
    if (held_due || retry_due) {
      parked_request waiting = held_due ? held_.pop() : parked_.pop();
      if (!admit_to_host(slot, waiting, now)) continue;
      launch(slot, std::move(waiting.request), waiting.attempts + 1, waiting.first_sent);
      continue;
    }
    std::optional<fetch_request> request;
    if (next_in_hand_) {
      request = std::exchange(next_in_hand_, std::nullopt);
    } else {
      bool source_failed = false;
      request = next_from_source(source_failed);
      if (!request) {
        if (!source_failed && source_pending()) {
          // Not exhausted, only nothing due yet: keep the slot free and the rate token for the
          // next round; the loop wakes by source_due_ (wake_deadline).
          release(slot);
          token_in_hand_ = context_.gate != nullptr;
          return;
        }
        // Exhausted (or broken): this worker takes nothing more; what it has finishes. The token
        // just taken goes back: another worker may hold a request it took while waiting for one
        // (it asks the gate again within max_wait).
        exhausted_ = true;
        if (context_.gate != nullptr) context_.gate->give_back();
        release(slot);
        close_connections_as_transfers_end();
        continue;  // a due retry may still want the slot
      }
      ++admitted_;
    }
    if (context_.hosts != nullptr) {
      parked_request fresh{now, std::move(*request), 0, {}};
      if (!admit_to_host(slot, fresh, now)) continue;
      request = std::move(fresh.request);
    }
    launch(slot, std::move(*request), 1, {});
  }
}

// The source's next request; failed (and nullopt) when it threw, which is noted.
std::optional<fetch_request> worker::next_from_source(bool& failed) {
  failed = false;
  try {
    return context_.source.next();
  } catch (const std::exception& e) {
    note_error(std::string("work source failed: ") + e.what());
  } catch (...) {
    note_error("work source failed: unknown exception");
  }
  failed = true;
  return std::nullopt;
}

// Asked only after next() said nullopt: true when the source is not exhausted but has nothing
// due yet (work_source::next_due()); source_due_ then says when to ask again. A source that
// throws here is treated as exhausted, as one that throws from next().
bool worker::source_pending() {
  try {
    source_due_ = context_.source.next_due();
  } catch (const std::exception& e) {
    note_error(std::string("work source failed: ") + e.what());
    source_due_.reset();
  } catch (...) {
    note_error("work source failed: unknown exception");
    source_due_.reset();
  }
  return source_due_.has_value();
}

// With per-host limits: true when the request's host lets it start now (the slot then holds the
// host until the attempt ends). Otherwise the request is held without a slot until the host's
// wait is over, and the rate token already taken for it is kept for the next admission.
bool worker::admit_to_host(transfer& slot, parked_request& next, clock::time_point now) {
  if (context_.hosts == nullptr) return true;
  std::string key = host_key(next.request.url);
  clock::duration wait{};
  if (key.empty() || context_.hosts->try_start(key, now, wait)) {
    slot.hold_host(std::move(key));
    return true;
  }
  release(slot);
  token_in_hand_ = context_.gate != nullptr;
  next.due = now + wait;
  try {
    held_.push(std::move(next));
  } catch (...) {
    end_waiting(next, "out of memory");  // no memory to hold it (push left `next` whole)
  }
  return false;
}

void worker::finish_host(transfer& slot, long http_status,
                         std::optional<std::chrono::milliseconds> retry_after) noexcept {
  if (!slot.holds_host()) return;
  try {
    context_.hosts->finish(slot.release_host(), clock::now(), http_status, retry_after);
  } catch (...) {
    note_error("per-host budget failed");
  }
}

// With a rate limit: takes a token, or notes when the next one is due (and the loop sleeps
// until then). Without one: always true.
bool worker::take_token() {
  if (context_.gate == nullptr) return true;
  if (token_in_hand_) {
    token_in_hand_ = false;
    return true;
  }
  const auto now = clock::now();
  clock::duration wait{};
  if (context_.gate->try_take(now, wait)) return true;
  token_due_ = now + wait;
  return false;
}

// Once the source is exhausted this worker starts nothing new but retries, so a connection left
// idle would only be closed by the final cleanup, all in one burst at the end of the run (5,000
// per worker at -c 10000, ~0.1-0.2 s on the critical path). Closing each as its transfer ends
// does that work while the worker would otherwise wait for the last responses. O(slots), once.
void worker::close_connections_as_transfers_end() noexcept {
  curl_.stop_reusing();
  native_.stop_reusing();
}

void worker::launch(transfer& slot, fetch_request request, int attempt, clock::time_point first_sent) {
  const fetch_policy& policy = context_.config.policy;
  slot.prepare(std::move(request), policy, attempt, first_sent);
  if (attempt == 1) {
    // on_start once per request, before its first attempt; a retry is announced by on_retry.
    try {
      context_.observer.on_start(slot.request());
    } catch (const std::exception& e) {
      settle(slot, slot.abandon(outcome::unexpected, std::string("observer on_start failed: ") + e.what()));
      return;
    } catch (...) {
      settle(slot, slot.abandon(outcome::unexpected, "observer on_start failed"));
      return;
    }
  }
  transport_route route = route_request(context_.config.transport, slot.request().url, policy.follow_redirects,
                                        context_.proxy_configured, policy.request);
  if (route.how == transport_route::kind::refuse) {
    settle(slot, slot.abandon(outcome::unexpected, std::move(route.refusal)));
    return;
  }
  transport& carrier = route.how == transport_route::kind::native ? static_cast<transport&>(native_) : curl_;
  std::string refused = carrier.start(slot, std::move(route));
  if (!refused.empty()) settle(slot, slot.abandon(outcome::unexpected, std::move(refused)));
}

void worker::reap() {
  ended_.clear();
  curl_.take_finished(ended_);
  native_.take_finished(ended_);
  for (ended_attempt& ended : ended_) {
    // Beast's parser is stricter than curl's: a reply it refused as malformed (no reason phrase,
    // bare LF line ends, ...) may be one curl accepts, and a body in a content coding (gzip sent
    // although not asked for) is one curl decodes. Under `auto`, which promises curl's outcomes,
    // the same attempt is sent again through curl (a plain GET only, safe to send twice; the
    // server sees it twice) and curl's verdict stands. Its timeout starts afresh with curl's.
    if (ended.curl_may_read && context_.config.transport == transport_choice::automatic &&
        context_.config.policy.request.plain_get() && !stop_requested() && curl_.adopt(*ended.slot)) {
      continue;
    }
    judge(*ended.slot, std::move(ended.result));
  }
}

// The single place where an attempt's result becomes either a retry or the final result, for
// both transports. Under stop, the attempt's own failure is final: more accurate than "cancelled".
void worker::judge(transfer& slot, fetch_result result) {
  finish_host(slot, result.http_status, slot.retry_after());
  if (!stop_requested() && context_.config.retry.should_retry(result.kind, result.http_status, result.attempts)) {
    park(slot, std::move(result));
  } else {
    settle(slot, std::move(result));
  }
}

void worker::park(transfer& slot, fetch_result failed) {
  const std::chrono::milliseconds wait =
      context_.config.retry.delay_before(failed.attempts, unit_(random_), slot.retry_after());
  try {
    context_.observer.on_retry(slot.request(), failed, wait);
  } catch (const std::exception& e) {
    note_error(std::string("observer on_retry failed: ") + e.what());
  } catch (...) {
    note_error("observer on_retry failed");
  }
  parked_request waiting{clock::now() + wait, slot.take_request(), failed.attempts, slot.first_sent()};
  release(slot);  // the wait holds no slot
  try {
    parked_.push(std::move(waiting));
  } catch (...) {
    // No memory to wait: this attempt's failure is final (push left `waiting` whole).
    report_finish(waiting.request, failed);
  }
}

void worker::settle(transfer& slot, fetch_result result) noexcept {
  report_finish(slot.request(), result);
  release(slot);
}

void worker::report_finish(const fetch_request& request, const fetch_result& result) noexcept {
  ++finished_;
  try {
    context_.observer.on_finish(request, result);
  } catch (const std::exception& e) {
    // Already counted as finished: reporting it a second time would break "exactly once".
    note_error(std::string("observer on_finish failed: ") + e.what());
  } catch (...) {
    note_error("observer on_finish failed");
  }
}

// Ends every request this worker holds, in flight or waiting for a retry, with outcome
// unexpected and `reason`. O(slots + waiting) once, at the end of a run; never per event.
void worker::end_all(const std::string& reason) noexcept {
  // Attempts that ended and were not taken still run as far as their slots know: ended below.
  curl_.forget_finished();
  native_.forget_finished();
  for (const auto& slot : pool_) {
    if (slot->running() == transfer::carrier::none) continue;
    carrier_of(*slot).cancel(*slot);
    fetch_result result;
    try {
      result = slot->abandon(outcome::unexpected, reason);
    } catch (...) {
      result.kind = outcome::unexpected;
      result.attempts = slot->attempt();
    }
    settle(*slot, std::move(result));
  }
  if (next_in_hand_) {
    const parked_request waiting{clock::now(), std::move(*next_in_hand_), 0, {}};
    next_in_hand_.reset();
    report_start_and_finish(waiting, reason);
  }
  while (!held_.empty()) end_waiting(held_.pop(), reason);
  while (!parked_.empty()) end_waiting(parked_.pop(), reason);
}

// Ends a request that is waiting, not running: held by its host or parked for a retry.
void worker::end_waiting(const parked_request& waiting, const std::string& reason) noexcept {
  if (waiting.attempts == 0) {
    // Held by its host before its first attempt: announced now, so on_finish follows on_start.
    report_start_and_finish(waiting, reason);
    return;
  }
  fetch_result result;
  result.kind = outcome::unexpected;
  try {
    result.error = reason;
  } catch (...) {
  }
  result.attempts = waiting.attempts;  // made so far; none is running, so latency stays 0
  result.total = std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - waiting.first_sent);
  report_finish(waiting.request, result);
}

// A request that ends before its first attempt was sent (held by its host at the end of a run,
// or no memory to hold it): on_start, then its one on_finish, as for every admitted request.
void worker::report_start_and_finish(const parked_request& waiting, const std::string& reason) noexcept {
  try {
    context_.observer.on_start(waiting.request);
  } catch (...) {
    note_error("observer on_start failed");
  }
  fetch_result result;
  result.kind = outcome::unexpected;
  try {
    result.error = reason;
  } catch (...) {
  }
  result.attempts = 0;
  report_finish(waiting.request, result);
}

// When the loop must wake even if no socket is ready: for a due rate-limit token or retry, but
// only while a slot is free to use it (with every slot busy, a finished transfer wakes us).
worker::clock::time_point worker::wake_deadline(clock::time_point now) const noexcept {
  clock::time_point deadline = now + max_wait;
  if (admit_more_) return now;
  if (in_use_ < slots_) {
    if (token_due_) {
      deadline = std::min(deadline, *token_due_);
    } else if (!parked_.empty()) {
      deadline = std::min(deadline, parked_.next_due());
    }
    if (!held_.empty()) deadline = std::min(deadline, held_.next_due());
    if (source_due_) deadline = std::min({deadline, *source_due_, now + pending_poll});
  }
  return deadline;
}

transport& worker::carrier_of(const transfer& slot) noexcept {
  if (slot.running() == transfer::carrier::native) return native_;
  return curl_;
}

bool worker::stop_requested() const noexcept {
  return context_.stop != nullptr && context_.stop->load(std::memory_order_relaxed);
}

transfer& worker::acquire() {
  if (idle_.empty()) {
    pool_.push_back(
        std::make_unique<transfer>(receive_buffer_for(slots_)));  // capacity reserved: never more than slots_
    idle_.push_back(pool_.back().get());
  }
  transfer* slot = idle_.back();
  idle_.pop_back();
  ++in_use_;
  return *slot;
}

void worker::release(transfer& slot) noexcept {
  finish_host(slot, 0, std::nullopt);  // an attempt that ended without being judged (cancelled, refused)
  idle_.push_back(&slot);              // capacity reserved for slots_ in the constructor
  --in_use_;
}

void worker::note_error(std::string what) noexcept {
  if (error_.empty()) error_ = std::move(what);
}

}  // namespace serentak::client
