#pragma once
// The SHA-256 of a request body template, as the results preamble records it (the body itself may
// hold a secret; its digest does not show it). Pure function; thread-safe.

#include <string>
#include <string_view>

namespace serentak::client {

// Lower-case hex SHA-256 of text (64 characters). Throws std::runtime_error if OpenSSL fails.
std::string sha256_hex(std::string_view text);

}  // namespace serentak::client
