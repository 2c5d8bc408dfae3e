#pragma once
// One webhook POST of an alert body: Content-Type: application/json, http and https only, no
// redirect followed (a 3xx is a failure: a POST redirected would turn into a GET, and a receiver
// URL that moved is a configuration to fix), the response body read and thrown away.
// Blocks the calling thread up to `timeout`, or until cancelled() says stop. Each call owns its
// curl handles, so any thread may call it; needs curl_global_init done (main's curl_global).

#include <chrono>
#include <string>

#include "monitor/alert_attempt.hpp"

namespace serentak::monitor {

// 2xx: ok. 408, 429, 5xx and transport errors (refused, reset, timed out, DNS): retryable.
// Other statuses (3xx, 4xx) and a URL curl refuses: failed for good. The URL may carry
// credentials (user:pass@): curl sends them; they never appear in detail.
attempt_result post_webhook(const std::string& url, const std::string& body, std::chrono::milliseconds timeout,
                            const cancel_check& cancelled);

}  // namespace serentak::monitor
