#pragma once
// The peer certificate's expiry as libcurl reports it (CURLOPT_CERTINFO): the leaf's "Expire date"
// field, which the OpenSSL backend writes as ASN1_TIME_print does ("Jan  2 03:04:05 2027 GMT").
// Pure functions; the easy handle is read on its worker's thread only.

#include <curl/curl.h>

#include <chrono>
#include <optional>
#include <string_view>

namespace serentak::client {

// "Jan  2 03:04:05 2027 GMT" (the field's value) as a time; nullopt when it is not that form.
std::optional<std::chrono::system_clock::time_point> parse_certificate_time(std::string_view text) noexcept;

// The leaf certificate's expiry from a finished transfer's CURLINFO_CERTINFO; nullopt when no
// handshake ran on this transfer (plain http, or CURLOPT_CERTINFO off) or the field is unreadable.
std::optional<std::chrono::system_clock::time_point> leaf_certificate_expiry(CURL* easy) noexcept;

}  // namespace serentak::client
