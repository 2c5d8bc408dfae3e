#include "monitor/webhook_post.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <memory>

#include <fmt/format.h>

#include "client/transport/curl/curl_outcome.hpp"
#include "core/version.hpp"

namespace serentak::monitor {
namespace {

std::size_t discard_body(char*, std::size_t size, std::size_t count, void*) { return size * count; }

bool retryable_status(long status) { return status == 408 || status == 429 || status >= 500; }

// Errors that another try cannot mend: the URL or the build refuses the request itself.
bool retryable_code(CURLcode code) {
  switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_TOO_MANY_REDIRECTS:
      return false;
    default:
      return true;
  }
}

// Removes the easy handle from the multi handle before either is cleaned up, on every return.
struct attachment {
  CURLM* multi;
  CURL* easy;
  ~attachment() { curl_multi_remove_handle(multi, easy); }
};

}  // namespace

attempt_result post_webhook(const std::string& url, const std::string& body, std::chrono::milliseconds timeout,
                            const cancel_check& cancelled) {
  // Declared before the handles so they outlive them: curl reads the header list and writes the
  // error buffer until the easy handle is cleaned up.
  char error[CURL_ERROR_SIZE] = "";
  curl_slist* list = curl_slist_append(nullptr, "Content-Type: application/json");
  if (list != nullptr) {
    // "Expect:" turns off curl's 100-continue wait (up to 1 s) for a body over 1 KiB.
    if (curl_slist* more = curl_slist_append(list, "Expect:"); more != nullptr) list = more;
  }
  const std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(list, &curl_slist_free_all);
  // The multi interface only so the wait can be cut short at close: curl_multi_poll wakes every
  // 20 ms to ask cancelled(); the easy interface would block for the whole timeout.
  const std::unique_ptr<CURLM, decltype(&curl_multi_cleanup)> multi(curl_multi_init(), &curl_multi_cleanup);
  const std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> easy(curl_easy_init(), &curl_easy_cleanup);
  if (!multi || !easy || !headers) return {false, true, "cannot create a curl handle"};

  CURL* e = easy.get();
  const std::string user_agent = fmt::format("serentak/{}", project_version());
  const long timeout_ms = static_cast<long>(std::max<std::chrono::milliseconds::rep>(timeout.count(), 1));
  const CURLcode options[] = {
      curl_easy_setopt(e, CURLOPT_URL, url.c_str()),
      curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L),  // threads: never SIGALRM for DNS timeouts
      curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https"),
      curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"),
      curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L),
      curl_easy_setopt(e, CURLOPT_POST, 1L),
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, body.data()),
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size())),
      curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers.get()),
      curl_easy_setopt(e, CURLOPT_USERAGENT, user_agent.c_str()),
      curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms),
      curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &discard_body),
      curl_easy_setopt(e, CURLOPT_ERRORBUFFER, error),
  };
  for (const CURLcode code : options) {
    if (code != CURLE_OK) return {false, false, fmt::format("cannot set up the request: {}", curl_easy_strerror(code))};
  }
  if (curl_multi_add_handle(multi.get(), e) != CURLM_OK) return {false, true, "cannot start the request"};
  const attachment attached{multi.get(), e};

  for (;;) {
    int running = 0;
    if (const CURLMcode code = curl_multi_perform(multi.get(), &running); code != CURLM_OK) {
      return {false, true, curl_multi_strerror(code)};
    }
    if (running == 0) break;
    if (cancelled && cancelled()) return {false, false, "stopped: no time left at close"};
    curl_multi_poll(multi.get(), nullptr, 0, 20, nullptr);
  }
  CURLcode result = CURLE_OK;
  int left = 0;
  while (const CURLMsg* message = curl_multi_info_read(multi.get(), &left)) {
    if (message->msg == CURLMSG_DONE) result = message->data.result;
  }
  if (result != CURLE_OK) {
    // curl's error text names the host and port, and sometimes a URL whole: a proxy's, password and all
    // ("Unsupported proxy syntax in 'http://user:secret@[bad'"), so it is redacted.
    return {false, retryable_code(result),
            error[0] != '\0' ? client::redact_curl_error(error) : std::string(curl_easy_strerror(result))};
  }
  long status = 0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 200 && status < 300) return {true, false, fmt::format("HTTP {}", status)};
  return {false, retryable_status(status), fmt::format("HTTP {}", status)};
}

}  // namespace serentak::monitor
