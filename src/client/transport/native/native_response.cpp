#include "client/transport/native/native_response.hpp"

#include <boost/beast/http/error.hpp>

#include <algorithm>
#include <cctype>
#include <limits>
#include <tuple>
#include <utility>

#include "client/engine/kept_headers.hpp"
#include "client/transport/curl/curl_outcome.hpp"
#include "core/retry_policy.hpp"

namespace serentak::client {
namespace {

namespace http = boost::beast::http;

// The same limit on a response head as curl's transfers (CURL_MAX_HTTP_HEADER, 100 KB); Beast's
// default (8 KB) would refuse headers curl reads.
constexpr auto header_limit_bytes = static_cast<std::uint32_t>(max_response_head_bytes);

// "identity" (any case, blanks around), the only content coding that needs no decoding.
bool is_identity(std::string_view coding) {
  while (!coding.empty() && (coding.front() == ' ' || coding.front() == '\t')) coding.remove_prefix(1);
  while (!coding.empty() && (coding.back() == ' ' || coding.back() == '\t')) coding.remove_suffix(1);
  constexpr std::string_view identity = "identity";
  return std::equal(coding.begin(), coding.end(), identity.begin(), identity.end(),
                    [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
}

}  // namespace

void native_response::begin(std::size_t max_body_bytes) {
  max_body_bytes_ = max_body_bytes;
  pending_.clear();
  received_ = 0;
  leftover_ = false;
  saw_first_bytes_ = false;
  http_prefix_ = true;
  status_ = 0;
  retry_after_.reset();
  location_.clear();
  failure_ = transport_failure::none;
  curl_may_read_ = false;
  body_over_limit_ = false;
  head_over_limit_ = false;
  error_.clear();
  start_parser();
}

void native_response::start_parser() {
  parser_.reset();  // its fields go back to the arena before it is rewound
  fields_->rewind();
  parser_.emplace(std::piecewise_construct, std::make_tuple(), std::make_tuple(arena_allocator<char>(*fields_)));
  // Not eager(true): in Beast 1.74 an eager put() that finishes the header and goes on into the
  // body loses the header's body_limit error (a Content-Length over the cap read as a success);
  // consume() calls put() again for the body instead.
  parser_->header_limit(header_limit_bytes);
  parser_->body_limit(static_cast<std::uint64_t>(max_body_bytes_));
}

native_response::state native_response::feed(const char* data, std::size_t size) {
  received_ += size;
  if (!saw_first_bytes_ && size > 0) {
    saw_first_bytes_ = true;
    // Judged on the first bytes, as curl does: a reply that is not "HTTP/..." is HTTP/0.9 to it.
    const std::string_view head(data, std::min<std::size_t>(size, 5));
    http_prefix_ = std::string_view("HTTP/").substr(0, head.size()) == head;
  }
  if (pending_.empty()) return consume(data, size);
  pending_.append(data, size);
  std::string bytes = std::move(pending_);
  pending_.clear();
  return consume(bytes.data(), bytes.size());
}

// Runs the parser over data; what it cannot take yet (an incomplete header or chunk header) is
// kept in pending_ for the next feed.
native_response::state native_response::consume(const char* data, std::size_t size) {
  boost::system::error_code ec;
  while (size > 0) {
    const std::size_t used = parser_->put(boost::asio::buffer(data, size), ec);
    data += used;
    size -= used;
    if (ec == http::error::need_more) {
      ec = {};
      // What waits here is framing, never body bytes: an unfinished header (which Beast bounds
      // with header_limit) or a chunk header, extension or trailer, which Beast 1.74 does not
      // bound. An endless one would grow this buffer for the whole attempt.
      if (pending_.size() + size > header_limit_bytes) {
        return fail(transport_failure::recv_failed, "chunk header, extension or trailer over 100 KB");
      }
      pending_.append(data, size);
      return state::need_more;
    }
    if (ec == http::error::body_limit) {
      body_over_limit_ = true;
      return fail(transport_failure::reply_too_large, {});
    }
    if (ec == http::error::header_limit) {
      head_over_limit_ = true;
      return fail(transport_failure::reply_too_large, {});
    }
    if (ec == http::error::bad_chunk || ec == http::error::bad_chunk_extension) {
      // curl's chunk decoder reports these as a receive error (connection_error), not a reply.
      return fail(transport_failure::recv_failed, "Illegal or missing hexadecimal sequence in chunked-encoding");
    }
    if (ec) {
      // Not "HTTP/...": curl refuses an HTTP/0.9 reply (UNSUPPORTED_PROTOCOL after sending);
      // anything else malformed is its WEIRD_SERVER_REPLY. Both are invalid_response.
      if (!http_prefix_) return fail(transport_failure::bad_reply, "Received HTTP/0.9 when not allowed");
      return fail(transport_failure::bad_reply, "invalid HTTP response: " + ec.message(), may_curl);
    }
    if (parser_->is_header_done() && status_ == 0 && !note_header()) return state::failed;
    if (!parser_->is_done()) continue;
    const unsigned code = parser_->get().result_int();
    if (code >= 100 && code < 200 && code != 101) {
      // An interim response (100 Continue, 103 Early Hints): the real one follows.
      status_ = 0;
      start_parser();
      continue;
    }
    if (size > 0) leftover_ = true;
    return state::done;
  }
  if (parser_->is_header_done() && status_ == 0 && !note_header()) return state::failed;
  return parser_->is_done() ? state::done : state::need_more;
}

// Takes what the engine needs from a complete head. False (failed) when a 2xx body follows in a
// content coding: it was not asked for (Accept-Encoding: identity), nothing here decodes it, and
// compressed bytes must not pass for the body. curl's code for a coding it cannot decode, so
// `auto` hands the attempt to libcurl, which decodes (under its cap on decoded bytes). Any other
// status keeps its outcome (a 503's Retry-After, a redirect to follow): its body is only ever
// shown as a bounded, escaped snippet, so it is kept as sent.
bool native_response::note_header() {
  const auto& header = parser_->get();
  status_ = static_cast<long>(header.result_int());
  retry_after_.reset();
  const auto retry_after = header.find(http::field::retry_after);
  if (retry_after != header.end()) {
    retry_after_ = parse_retry_after(retry_after->value(), std::chrono::system_clock::now());
  }
  const auto location = header.find(http::field::location);
  location_ = location != header.end() ? std::string(location->value()) : std::string{};
  if (parser_->is_done()) return true;  // no body follows: nothing to decode
  if (status_ < 200 || status_ > 299) return true;
  const auto [first, last] = header.equal_range(http::field::content_encoding);
  for (auto field = first; field != last; ++field) {
    if (is_identity(field->value())) continue;
    const std::string_view coding = field->value().substr(0, 40);  // the server's words, kept short
    fail(transport_failure::bad_reply,
         "Content-Encoding " + std::string(coding) + " is not decoded by the native transport", may_curl);
    return false;
  }
  return true;
}

void native_response::copy_kept_headers(const std::vector<std::string>& kept,
                                        std::vector<std::pair<std::string, std::string>>& out) const {
  if (!parser_ || !parser_->is_header_done()) return;
  for (const auto& field : parser_->get()) {
    if (!is_kept_header(field.name_string(), kept)) continue;
    std::string line(field.name_string());
    line += ':';
    line += field.value();
    keep_header_line(line, kept, out);
  }
}

native_response::state native_response::feed_eof() {
  if (received_ == 0) return fail(transport_failure::got_nothing, "Empty reply from server");
  if (!parser_->is_header_done()) {
    if (!http_prefix_) return fail(transport_failure::bad_reply, "Received HTTP/0.9 when not allowed");
    return fail(transport_failure::bad_reply, "connection closed inside the response header", may_curl);
  }
  boost::system::error_code ec;
  parser_->put_eof(ec);
  if (!ec && parser_->is_done()) return state::done;
  return fail(transport_failure::bad_reply, "transfer closed with outstanding read data remaining");
}

bool native_response::reusable() const noexcept {
  return parser_ && parser_->is_done() && parser_->keep_alive() && !parser_->need_eof() && !leftover_;
}

std::string native_response::take_body() {
  if (!parser_ || !parser_->is_done()) return {};
  return std::move(parser_->get().body());
}

native_response::state native_response::fail(transport_failure failure, std::string error, bool may_read) {
  failure_ = failure;
  curl_may_read_ = may_read;
  error_ = std::move(error);
  return state::failed;
}

}  // namespace serentak::client
