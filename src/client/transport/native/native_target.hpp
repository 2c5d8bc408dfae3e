#pragma once
// A URL as the native transport would send it: the numeric address to connect to, the Host
// header, the request target and the key of its connection pool. parse_native_target() takes
// only what it can send exactly as curl would; anything else (DNS names, user:password@,
// dot segments, bytes curl would re-encode) is left to curl, so `--transport auto` never changes
// what reaches a server. Pure; thread-safe.

#include <sys/socket.h>

#include <optional>
#include <string>
#include <string_view>

namespace serentak::client {

struct native_target {
  sockaddr_storage address{};    // IPv4 or IPv6, port included
  socklen_t address_length = 0;
  std::string host_header;       // "127.0.0.1:5000", "[::1]:8080"; the port omitted when 80, as curl does
  std::string path;              // "/get?id=1": origin-form, never empty, no fragment
};

struct native_target_parse {
  enum class verdict {
    ok,            // target is set
    other_scheme,  // not http:// (https, ftp, file, ...); scheme says which
    needs_curl,    // http:// but beyond the native transport (a DNS name, userinfo, ...); why says
    malformed,     // no usable host or port: curl would refuse it too (URL_MALFORMAT)
  };
  verdict kind = verdict::malformed;
  native_target target;
  std::string scheme;  // lower-case, other_scheme only
  std::string why;     // needs_curl and malformed: a short reason
};

native_target_parse parse_native_target(std::string_view url);

// The URL a redirect's Location points to, resolved against the URL it came from (absolute,
// scheme-relative "//host/p", absolute path "/p", or relative "p" / "?q"). Fragments dropped.
std::string resolve_location(std::string_view base_url, std::string_view location);

}  // namespace serentak::client
