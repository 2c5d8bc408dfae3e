#include "client/worker.hpp"

#include <exception>
#include <stdexcept>
#include <utility>

namespace serentak::client {
namespace {

// The longest a worker sleeps in curl_multi_poll. The stop flag is a plain atomic that nobody
// can wake us for, so this bounds how late a stop is noticed. curl_multi_poll also returns
// earlier when curl's own timers (timeouts, connect phases) are due.
constexpr int max_poll_ms = 100;

void check(CURLMcode code, const char* what) {
  if (code != CURLM_OK) throw std::runtime_error(std::string(what) + ": " + curl_multi_strerror(code));
}

}  // namespace

worker::worker(std::size_t slots, const fetch_policy& policy, work_source& source, fetch_observer& observer,
               const std::atomic<bool>* stop)
    : multi_(curl_multi_init()), slots_(slots), policy_(policy), source_(source), observer_(observer), stop_(stop) {
  if (!multi_) throw std::runtime_error("curl_multi_init failed");
  // Keep one idle connection per slot, so every finished transfer leaves a warm connection for
  // the next request to the same host (the seed's items all go to one server).
  curl_multi_setopt(multi_.get(), CURLMOPT_MAXCONNECTS, static_cast<long>(slots_));
  // Deliberately no CURLMOPT_MAX_TOTAL_CONNECTIONS / MAX_HOST_CONNECTIONS: curl would queue the
  // excess inside the multi handle with their timeouts already running. Our slots bound instead.
  pool_.reserve(slots_ < 1024 ? slots_ : 1024);
}

void worker::run() noexcept {
  try {
    loop();
    return;
  } catch (const std::exception& e) {
    note_error(std::string("engine worker failed: ") + e.what());
  } catch (...) {
    note_error("engine worker failed: unknown exception");
  }
  end_in_flight(error_);
}

void worker::loop() {
  for (;;) {
    if (stop_requested()) {
      end_in_flight("cancelled");
      return;
    }
    admit();
    if (in_use_ == 0 && exhausted_) return;  // own transfers done, nothing left to take

    int running = 0;
    check(curl_multi_perform(multi_.get(), &running), "curl_multi_perform");
    // A finished transfer frees a slot: refill it before sleeping, so a slot never idles while
    // the source has work.
    if (reap() > 0) continue;
    // Issue 3 (retries) will also wake here for its backoff timers, via poll_timeout_ms().
    check(curl_multi_poll(multi_.get(), nullptr, 0, poll_timeout_ms(), nullptr), "curl_multi_poll");
  }
}

void worker::admit() {
  while (!exhausted_ && in_use_ < slots_ && !stop_requested()) {
    // The slot is taken before the request, so a request leaves the source only when it can be
    // sent at once: waiting for a slot never eats into an item's timeout.
    transfer& slot = acquire();
    std::optional<fetch_request> request;
    try {
      request = source_.next();
    } catch (const std::exception& e) {
      note_error(std::string("work source failed: ") + e.what());
    } catch (...) {
      note_error("work source failed: unknown exception");
    }
    if (!request) {
      // Exhausted (or broken): this worker takes nothing more; what it has in flight finishes.
      exhausted_ = true;
      release(slot);
      return;
    }
    ++admitted_;
    launch(slot, std::move(*request));
  }
}

void worker::launch(transfer& slot, fetch_request request) {
  const CURLcode prepared = slot.prepare(std::move(request), policy_);
  try {
    observer_.on_start(slot.request());
  } catch (const std::exception& e) {
    settle(slot, slot.abandon(outcome::unexpected, std::string("observer on_start failed: ") + e.what()));
    return;
  } catch (...) {
    settle(slot, slot.abandon(outcome::unexpected, "observer on_start failed"));
    return;
  }
  if (prepared != CURLE_OK) {
    settle(slot, slot.abandon(outcome::unexpected, curl_easy_strerror(prepared)));
    return;
  }
  const CURLMcode added = curl_multi_add_handle(multi_.get(), slot.easy());
  if (added != CURLM_OK) {
    settle(slot, slot.abandon(outcome::unexpected, curl_multi_strerror(added)));
    return;
  }
  slot.mark_started();
}

std::size_t worker::reap() {
  std::size_t done = 0;
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_.get(), &queued)) {
    if (message->msg != CURLMSG_DONE) continue;
    // Copy out first: the message is invalid once its handle is removed.
    CURL* easy = message->easy_handle;
    const CURLcode code = message->data.result;
    transfer* slot = transfer::owner_of(easy);
    curl_multi_remove_handle(multi_.get(), easy);
    fetch_result result;
    try {
      result = slot->finish(code);
    } catch (...) {
      result.kind = outcome::unexpected;
      result.error = "out of memory";  // short enough not to allocate
    }
    // Issue 3: a retryable result with attempts left is rescheduled here instead of settled.
    settle(*slot, std::move(result));
    ++done;
  }
  return done;
}

void worker::settle(transfer& slot, fetch_result result) noexcept {
  ++finished_;
  try {
    observer_.on_finish(slot.request(), result);
  } catch (const std::exception& e) {
    // Already counted as finished: reporting it a second time would break "exactly once".
    note_error(std::string("observer on_finish failed: ") + e.what());
  } catch (...) {
    note_error("observer on_finish failed");
  }
  release(slot);
}

void worker::end_in_flight(const std::string& reason) noexcept {
  // O(slots) once, at the end of the run; never on the per-event path.
  for (const auto& slot : pool_) {
    if (!slot->in_multi()) continue;
    curl_multi_remove_handle(multi_.get(), slot->easy());
    fetch_result result;
    try {
      result = slot->abandon(outcome::unexpected, reason);
    } catch (...) {
      result.kind = outcome::unexpected;
    }
    settle(*slot, std::move(result));
  }
}

int worker::poll_timeout_ms() const noexcept { return max_poll_ms; }

bool worker::stop_requested() const noexcept { return stop_ != nullptr && stop_->load(std::memory_order_relaxed); }

transfer& worker::acquire() {
  if (idle_.empty()) {
    idle_.reserve(pool_.size() + 1);  // so release() never allocates
    pool_.push_back(std::make_unique<transfer>());
    idle_.push_back(pool_.back().get());
  }
  transfer* slot = idle_.back();
  idle_.pop_back();
  ++in_use_;
  return *slot;
}

void worker::release(transfer& slot) noexcept {
  idle_.push_back(&slot);  // capacity reserved in acquire()
  --in_use_;
}

void worker::note_error(std::string what) noexcept {
  if (error_.empty()) error_ = std::move(what);
}

}  // namespace serentak::client
