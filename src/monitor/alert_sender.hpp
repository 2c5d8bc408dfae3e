#pragma once
// Sends monitor alerts out of band. offer() is called by the monitor runner on every health
// change: it applies each of the endpoint's alerts' gate (send-on-resolved, min-realert), renders
// what passes and queues it, never waiting on I/O. One worker thread sends the queue in order:
// webhook POSTs with retries and backoff, exec commands once. So a slow or dead receiver delays
// other alerts (bounded by the queue), never a check.
// Owned by the runner. offer() and the counters may be called from any thread; close() and the
// destructor belong to the owner. Locking is taken care of inside: gates_mutex_, then queue_mutex_.
//
// One worker, not one per receiver: alerts are rare (a health change), and one worker keeps each
// endpoint's alerts in order (a trigger before its resolution). The cost, documented in
// docs/monitor.md: a receiver that hangs holds the others back by its timeout x attempts.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "monitor/alert_message.hpp"
#include "monitor/monitor_config.hpp"

namespace serentak::monitor {

// One line about an alert (sent, failed, dropped), ready to log: variable text escaped, URLs
// redacted. Called from the worker thread and from offer()'s caller, so it must be thread-safe.
using alert_log = std::function<void(std::string_view line)>;

struct alert_sender_options {
  std::size_t capacity = 1024;                    // alerts waiting to be sent, at least 1; a full queue drops
  int webhook_attempts = 3;                       // tries per webhook alert, 1-10; exec runs once
  std::chrono::milliseconds backoff{1000};        // wait before the 2nd try, doubled before each next
  std::chrono::milliseconds close_timeout{5000};  // close(): the most time spent on what is still queued
  alert_log log;                                  // empty: no lines
};

class alert_sender {
 public:
  // Starts the worker thread (throws std::system_error when it cannot). Needs curl_global_init
  // done for webhooks (main's curl_global).
  explicit alert_sender(alert_sender_options options = {});
  ~alert_sender();  // close()
  alert_sender(const alert_sender&) = delete;
  alert_sender& operator=(const alert_sender&) = delete;

  // For each of endpoint.alerts: asks its gate (one per endpoint name and alert position, kept
  // here), renders what passes and queues it. Never blocks on I/O. False when an alert that passed
  // its gate was dropped (queue full, or closed); a dropped alert is counted, logged, and not
  // recorded by its gate, so the next change is judged as if it had never been offered.
  bool offer(const endpoint_config& endpoint, const alert_event& event);

  // Takes no more alerts, sends what is queued within close_timeout (an attempt still running
  // then is stopped, what is still queued is dropped and counted), then joins the worker.
  // Idempotent.
  void close();

  // Each count moves only after its log line (release/acquire): a reader who sees the count also sees the line.
  std::uint64_t sent() const noexcept { return sent_.load(std::memory_order_acquire); }
  std::uint64_t failed() const noexcept { return failed_.load(std::memory_order_acquire); }    // after every try
  std::uint64_t dropped() const noexcept { return dropped_.load(std::memory_order_acquire); }  // never tried
  std::size_t queue_depth() const;  // alerts waiting, not counting the one being sent

 private:
  struct job {
    alert_config::kind type = alert_config::kind::webhook;
    std::string url;                   // webhook, as configured: curl needs its credentials
    std::vector<std::string> command;  // exec argv
    std::string payload;               // the rendered body or the exec JSON
    std::chrono::milliseconds timeout{0};
    std::string label;  // for log lines: endpoint "NAME" TRIGGERED via webhook http://***@host/hook
  };

  void run();
  void deliver(const job& j);
  bool wait_backoff(std::chrono::milliseconds delay);  // false: close's time would run out first
  bool out_of_time() const noexcept;
  void log(std::string_view line) const noexcept;

  const alert_sender_options options_;

  std::mutex gates_mutex_;  // guards gates_; held by offer() around the gate and its enqueue
  std::map<std::pair<std::string, std::size_t>, alert_gate> gates_;  // (endpoint name, alert position)

  mutable std::mutex queue_mutex_;  // guards queue_ and closing_; never held during I/O
  std::condition_variable queue_cv_;
  std::deque<job> queue_;
  bool closing_ = false;
  // close()'s deadline as steady_clock ticks (max until close); atomic so an attempt can poll it.
  std::atomic<std::chrono::steady_clock::rep> give_up_at_{
      std::chrono::steady_clock::time_point::max().time_since_epoch().count()};

  std::atomic<std::uint64_t> sent_{0};
  std::atomic<std::uint64_t> failed_{0};
  std::atomic<std::uint64_t> dropped_{0};
  std::thread worker_;  // last: starts after everything it reads is built
};

}  // namespace serentak::monitor
