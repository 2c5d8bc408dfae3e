#pragma once
// The shape every request of a run shares: method, header lines in wire order and an optional
// body, where "{}" in a header value or the body stands for the item. Prepared once per run from
// what the user asked (request_spec), so that per item only the "{}" parts are filled in: a plain
// GET costs nothing more than before. Both transports read the same lines, in the same order, so
// curl and the native transport put the same bytes on the wire.
// Immutable after prepare(); read concurrently by every worker without locking.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace serentak {

struct header_field {
  std::string name;
  std::string value;  // may contain "{}": the item, as given (never percent-encoded)
};

// What the user asked for (filled by the CLI; checked by request_shape::prepare).
struct request_spec {
  std::string method;                  // an HTTP token; empty: GET, or POST when a body is given
  std::vector<header_field> headers;   // -H, --header-file, -u, --bearer-env, in that order
  std::optional<std::string> body;     // -d / --json template; "{}" is the item
  bool json = false;                   // --json: the item is JSON-escaped into "{}"; JSON content type
  std::optional<std::string> user_agent;  // -A; nullopt: "serentak/<version>"; "": no User-Agent
  std::vector<std::string> redact;     // --redact-header names, on top of the built-in ones
  bool netrc = false;                  // --netrc: credentials from ~/.netrc (libcurl only)
};

// Host, Content-Length, Transfer-Encoding: serentak sets them from the URL and the body, and a
// request's headers may not.
bool is_framing_header(std::string_view name) noexcept;
// Authorization, in any case: a request sends at most one, whichever option it came from.
bool is_authorization_header(std::string_view name) noexcept;

class request_shape {
 public:
  // A GET with the default headers: User-Agent, Accept: */*, Accept-Encoding: identity.
  request_shape();
  // Throws std::invalid_argument naming the option (never a header's value) for a method that is
  // not a token, a header name that is not one, or a value (User-Agent too) holding a control character.
  static request_shape prepare(const request_spec& spec);

  const std::string& method() const noexcept { return method_; }
  bool has_body() const noexcept { return has_body_; }
  // A GET without body or user headers: safe to send twice, and what every transport always did.
  bool plain_get() const noexcept { return plain_get_; }
  bool netrc() const noexcept { return netrc_; }
  // Why the native transport cannot send it (empty: it can): HEAD, --netrc, a content coding asked for.
  const std::string& needs_curl() const noexcept { return needs_curl_; }
  // "{}" occurs in some header value: items must be checked for control characters.
  bool item_in_headers() const noexcept { return item_in_headers_; }
  // "{}" occurs in the value of a secret header: the item itself is a secret, never displayed.
  bool item_is_secret() const noexcept { return item_is_secret_; }
  bool is_secret_header(std::string_view name) const;

  // The header lines, in wire order, without CRLF: "Name: value", "Name:" for an empty value.
  std::size_t line_count() const noexcept { return lines_.size(); }
  bool line_has_item(std::size_t k) const noexcept { return lines_[k].pieces.size() > 1; }
  // A line without item as libcurl's header list wants it ("Name;" for an empty value).
  const std::string& curl_line(std::size_t k) const noexcept { return lines_[k].curl_text; }
  // A line with the item filled in, libcurl's form, into out (replaced).
  void expand_curl_line(std::size_t k, std::string_view item, std::string& out) const;
  // Appends every line with its CRLF, the item filled in: the native transport's header block.
  void append_header_block(std::string& out, std::string_view item) const;
  // The body for item: the static body itself, or one built into scratch.
  std::string_view body_for(std::string_view item, std::string& scratch) const;

  // Why item cannot be sent (it would put a control character into a header line); nullopt: it can.
  std::optional<std::string> check_item(std::string_view item) const;

 private:
  struct line {
    std::string name;                 // as given
    std::vector<std::string> pieces;  // the wire text split at "{}": item goes between pieces
    std::string curl_text;            // without item only
    bool empty_value = false;         // "Name:" (curl's "Name;")
  };
  void add_line(std::string name, std::string value);

  std::string method_ = "GET";
  std::vector<line> lines_;
  std::vector<std::string> body_pieces_;  // split at "{}"
  bool has_body_ = false;
  bool json_ = false;
  bool plain_get_ = true;
  bool netrc_ = false;
  bool item_in_headers_ = false;
  bool item_is_secret_ = false;
  std::string needs_curl_;
  std::vector<std::string> secret_names_;  // lower case
};

// RFC 9110 token: one or more of A-Z a-z 0-9 !#$%&'*+-.^_`|~
bool is_http_token(std::string_view text) noexcept;
// Whether text holds a byte no header value may (RFC 9110 5.5): below 0x20 but tab, or DEL. CR, LF
// and NUL would end the line (header injection); the others are refused or shown raw downstream.
bool has_control_character(std::string_view text) noexcept;
// "Name: value" (spaces around the value trimmed) -> a field; throws std::invalid_argument with
// a reason that never quotes the value (it may be a secret).
header_field parse_header_line(std::string_view line);
// Authorization's value for -u USER:PASS: "Basic " + base64(user:pass).
std::string basic_authorization(std::string_view user_and_password);
// The default User-Agent: "serentak/<PROJECT_VERSION>".
std::string default_user_agent();

}  // namespace serentak
