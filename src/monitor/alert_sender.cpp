#include "monitor/alert_sender.hpp"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <exception>

#include <fmt/format.h>

#include "core/log_text.hpp"
#include "core/url_redaction.hpp"
#include "monitor/exec_alert.hpp"
#include "monitor/webhook_post.hpp"

namespace serentak::monitor {
namespace {

using steady = std::chrono::steady_clock;

alert_sender_options checked(alert_sender_options options) {
  options.capacity = std::max<std::size_t>(options.capacity, 1);
  options.webhook_attempts = std::clamp(options.webhook_attempts, 1, 10);
  options.backoff = std::max(options.backoff, std::chrono::milliseconds{0});
  options.close_timeout = std::max(options.close_timeout, std::chrono::milliseconds{0});
  return options;
}

// endpoint "pizza-101" TRIGGERED via webhook http://***@hooks.example/x?token=***
// Only the program of an exec alert is named: its arguments may hold a secret.
std::string label_for(const endpoint_config& endpoint, const alert_config& alert, const alert_event& event) {
  const std::string target = alert.type == alert_config::kind::webhook
                                 ? "webhook " + redact_url(alert.url)
                                 : "exec " + (alert.command.empty() ? std::string() : alert.command.front());
  return fmt::format("endpoint \"{}\" {} via {}", escape_for_log(endpoint.name),
                     event.resolved() ? "RESOLVED" : "TRIGGERED", escape_for_log(target));
}

}  // namespace

alert_sender::alert_sender(alert_sender_options options)
    : options_(checked(std::move(options))), worker_([this] { run(); }) {}

alert_sender::~alert_sender() { close(); }

bool alert_sender::offer(const endpoint_config& endpoint, const alert_event& event) {
  std::vector<std::string> lines;  // logged after the locks: a slow log never holds other callers
  {
    const std::lock_guard gates_lock(gates_mutex_);
    for (std::size_t i = 0; i < endpoint.alerts.size(); ++i) {
      const alert_config& alert = endpoint.alerts[i];
      alert_gate& gate = gates_[{endpoint.name, i}];
      const alert_gate before = gate;
      if (!gate.should_send(alert, event)) continue;
      job j{alert.type,
            alert.url,
            alert.command,
            alert.type == alert_config::kind::webhook ? render_webhook_body(alert, event) : alert_json(event),
            alert.timeout,
            label_for(endpoint, alert, event)};
      std::string refused;
      {
        const std::lock_guard lock(queue_mutex_);
        if (closing_) {
          refused = "the sender is closed";
        } else if (queue_.size() >= options_.capacity) {
          refused = fmt::format("the queue is full ({} waiting)", queue_.size());
        } else {
          queue_.push_back(std::move(j));
        }
      }
      if (refused.empty()) {
        queue_cv_.notify_one();
        continue;
      }
      gate = before;
      lines.push_back(fmt::format("alert dropped: {}: {}", j.label, refused));
    }
  }
  for (const std::string& line : lines) log(line);
  if (!lines.empty()) dropped_.fetch_add(lines.size(), std::memory_order_release);  // after the lines: see dropped()
  return lines.empty();
}

void alert_sender::close() {
  {
    const std::lock_guard lock(queue_mutex_);
    if (!closing_) {
      closing_ = true;
      give_up_at_.store((steady::now() + options_.close_timeout).time_since_epoch().count());
    }
  }
  queue_cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

std::size_t alert_sender::queue_depth() const {
  const std::lock_guard lock(queue_mutex_);
  return queue_.size();
}

bool alert_sender::out_of_time() const noexcept {
  return steady::now().time_since_epoch().count() >= give_up_at_.load();
}

void alert_sender::log(std::string_view line) const noexcept {
  if (!options_.log) return;
  try {
    options_.log(line);
  } catch (...) {
    // A log that fails must not end the worker or an offer: the counters still tell.
  }
}

void alert_sender::run() {
  // A receiver or a command that closes its end mid-write must not end the monitor: libcurl with
  // CURLOPT_NOSIGNAL leaves SIGPIPE alone, so it is blocked on this thread (a pending one dies with it).
  sigset_t pipe_only;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_only, nullptr);
  for (;;) {
    job j;
    std::deque<job> abandoned;
    {
      std::unique_lock lock(queue_mutex_);
      queue_cv_.wait(lock, [this] { return !queue_.empty() || closing_; });
      if (queue_.empty()) return;  // closing, and everything was sent
      if (closing_ && out_of_time()) {
        abandoned.swap(queue_);
      } else {
        j = std::move(queue_.front());
        queue_.pop_front();
      }
    }
    if (!abandoned.empty()) {
      for (const job& a : abandoned) {
        log(fmt::format("alert dropped: {}: close's {} ms ran out", a.label, options_.close_timeout.count()));
      }
      dropped_.fetch_add(abandoned.size(), std::memory_order_release);
      return;
    }
    try {
      deliver(j);
    } catch (const std::exception&) {
      // Only allocation can throw here; count the alert rather than end the worker.
      failed_.fetch_add(1, std::memory_order_release);
    }
  }
}

// Webhooks are retried on what another try may mend (see webhook_post.hpp); an exec command runs
// once: a nonzero exit is usually the command's own verdict, and running it again would repeat
// whatever it did before failing.
void alert_sender::deliver(const job& j) {
  const auto cancelled = [this] { return out_of_time(); };
  const bool webhook = j.type == alert_config::kind::webhook;
  const int attempts = webhook ? options_.webhook_attempts : 1;
  auto backoff = options_.backoff;
  attempt_result result;
  int attempt = 1;
  for (;; ++attempt) {
    result = webhook ? post_webhook(j.url, j.payload, j.timeout, cancelled)
                     : run_exec_alert(j.command, j.payload, j.timeout, cancelled);
    if (result.ok || !result.retryable || attempt >= attempts) break;
    if (!wait_backoff(backoff)) {
      result.detail += " (no time left to try again at close)";
      break;
    }
    backoff *= 2;
  }
  const std::string tries = webhook ? fmt::format(", attempt {} of {}", attempt, attempts) : std::string();
  // The line goes out before the count moves: a caller waiting on sent() or failed() then finds it.
  if (result.ok) {
    log(fmt::format("alert sent: {} ({}{})", j.label, escape_for_log(result.detail), tries));
    sent_.fetch_add(1, std::memory_order_release);
  } else {
    log(fmt::format("alert failed: {}: {}{}", j.label, escape_for_log(result.detail),
                    webhook ? fmt::format(" ({} of {} attempts)", attempt, attempts) : std::string()));
    failed_.fetch_add(1, std::memory_order_release);
  }
}

bool alert_sender::wait_backoff(std::chrono::milliseconds delay) {
  const auto until = steady::now() + delay;
  std::unique_lock lock(queue_mutex_);
  for (;;) {
    // A retry that could only start after close's deadline is not waited for.
    if (until.time_since_epoch().count() >= give_up_at_.load()) return false;
    if (steady::now() >= until) return true;
    queue_cv_.wait_until(lock, until);  // close() notifies: the deadline may have moved closer
  }
}

}  // namespace serentak::monitor
