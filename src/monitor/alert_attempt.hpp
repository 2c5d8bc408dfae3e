#pragma once
// How one try at delivering an alert ended, shared by the webhook POST and the exec runner so the
// sender's retry loop treats both alike. Plain values; no I/O.

#include <functional>
#include <string>

namespace serentak::monitor {

struct attempt_result {
  bool ok = false;         // delivered: a 2xx answer, or the command exited 0
  bool retryable = false;  // worth another try: a transport error, 408, 429 or 5xx (never an exec run)
  std::string detail;      // for a log line, not yet escaped: "HTTP 503", "exit status 3", curl's error text
};

// Polled (about every 20 ms) during an attempt; true: give up now (the sender is out of time at close).
using cancel_check = std::function<bool()>;

}  // namespace serentak::monitor
