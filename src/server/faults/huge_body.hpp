#pragma once
// The body of a delivery::huge response, generated piece by piece from static bytes so a body of
// any size costs no memory: `{"data":"xxx...x"}` plus "\n" (valid JSON when total >= 12 bytes;
// below that, only 'x's). Pure functions.

#include <cstdint>
#include <string_view>

namespace serentak::server {

// The bytes of the body of `total` bytes that start at `offset`, at most `max_bytes` of them
// (and at least one while offset < total). Empty once offset >= total. The view points into
// static storage.
std::string_view huge_body_piece(std::uint64_t total, std::uint64_t offset, std::size_t max_bytes) noexcept;

}  // namespace serentak::server
