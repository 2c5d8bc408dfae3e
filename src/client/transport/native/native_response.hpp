#pragma once
// One HTTP/1.1 response read by the native transport: bytes in, a verdict out. Parsing is
// Boost.Beast's response_parser (strict, fuzzed, the server's own dependency); this class adds
// what the engine needs around it: the body cap on received body bytes, 1xx responses skipped,
// the end of the stream, a content coding refused (it decodes none), and every failure expressed
// as a transport_failure (core), the same one libcurl's code maps to for the same reply, so
// classify_attempt() judges both transports alike.
// Owned by one transfer on one worker thread; no locking.

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "client/transport/native/field_arena.hpp"
#include "core/transport_failure.hpp"

namespace serentak::client {

class native_response {
 public:
  enum class state {
    need_more,  // feed more bytes (or the end of the stream)
    done,       // a final response is complete: status(), take_body(), keep_alive() ...
    failed,     // the response cannot be used: failure() and error() say why
  };

  // Forgets any previous response and expects a new one whose body may hold max_body_bytes.
  void begin(std::size_t max_body_bytes);

  // Feeds bytes received from the server. Bytes beyond the end of a complete response are
  // counted as leftover (the connection then cannot be reused).
  state feed(const char* data, std::size_t size);
  // The server closed its side: completes a response delimited by the close, else fails.
  state feed_eof();

  // Response bytes received since begin(), 1xx responses included.
  std::size_t bytes_received() const noexcept { return received_; }
  long status() const noexcept { return status_; }
  bool header_done() const noexcept { return status_ != 0; }
  // After done: whether the connection may carry another request (HTTP/1.1 without
  // "Connection: close", nothing left over).
  bool reusable() const noexcept;
  std::string take_body();
  const std::optional<std::chrono::milliseconds>& retry_after() const noexcept { return retry_after_; }
  const std::string& location() const noexcept { return location_; }  // empty when none
  // After the head: appends the fields named in kept (lower-cased names) to out, in arrival order.
  void copy_kept_headers(const std::vector<std::string>& kept, std::vector<std::pair<std::string, std::string>>& out) const;

  transport_failure failure() const noexcept { return failure_; }
  // The failure is this parser's strictness or a content coding it does not decode, where libcurl
  // may well read the same reply (the worker then sends a plain GET again through curl).
  bool curl_may_read() const noexcept { return curl_may_read_; }
  bool body_over_limit() const noexcept { return body_over_limit_; }
  bool head_over_limit() const noexcept { return head_over_limit_; }  // over max_response_head_bytes
  const std::string& error() const noexcept { return error_; }

 private:
  // Its fields live in fields_ (field_arena.hpp); the body is an ordinary std::string.
  using parser = boost::beast::http::response_parser<boost::beast::http::string_body, arena_allocator<char>>;

  state consume(const char* data, std::size_t size);
  static constexpr bool may_curl = true;  // fail()'s last argument, named at the call
  state fail(transport_failure failure, std::string error, bool may_read = false);
  void start_parser();
  bool note_header();

  // Before parser_, so it outlives it; behind a pointer, so the parser's allocators still find it
  // if this object is moved.
  std::unique_ptr<field_arena> fields_ = std::make_unique<field_arena>();
  std::optional<parser> parser_;
  std::string pending_;  // received bytes the parser needs more of before it takes them
  std::size_t max_body_bytes_ = 0;
  std::size_t received_ = 0;
  bool leftover_ = false;
  bool saw_first_bytes_ = false;
  bool http_prefix_ = true;  // the reply starts with "HTTP/" (else curl calls it HTTP/0.9)
  long status_ = 0;
  std::optional<std::chrono::milliseconds> retry_after_;
  std::string location_;
  transport_failure failure_ = transport_failure::none;
  bool curl_may_read_ = false;
  bool body_over_limit_ = false;
  bool head_over_limit_ = false;
  std::string error_;
};

}  // namespace serentak::client
