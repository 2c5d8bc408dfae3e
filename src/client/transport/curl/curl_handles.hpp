#pragma once
// RAII owners for libcurl's easy (CURL*) and multi (CURLM*) handles, plus typed setopt helpers.
// Each handle is owned by one worker thread; libcurl handles must never be used from two threads
// at once, and these wrappers add no locking. Move-only, like std::unique_ptr which they are.

#include <curl/curl.h>

#include <memory>

namespace serentak::client {

struct easy_deleter {
  void operator()(CURL* easy) const noexcept { curl_easy_cleanup(easy); }
};
struct multi_deleter {
  void operator()(CURLM* multi) const noexcept { curl_multi_cleanup(multi); }
};

using easy_handle = std::unique_ptr<CURL, easy_deleter>;
using multi_handle = std::unique_ptr<CURLM, multi_deleter>;

// curl_easy_setopt is variadic: in C++ there is no type check, and passing an int where curl reads
// a long is undefined behaviour. These overloads make the argument type explicit at each call.
inline CURLcode set_long(CURL* easy, CURLoption option, long value) noexcept {
  return curl_easy_setopt(easy, option, value);
}
inline CURLcode set_text(CURL* easy, CURLoption option, const char* value) noexcept {
  return curl_easy_setopt(easy, option, value);
}
inline CURLcode set_pointer(CURL* easy, CURLoption option, void* value) noexcept {
  return curl_easy_setopt(easy, option, value);
}

}  // namespace serentak::client
