#include "server/faults/huge_body.hpp"

#include <algorithm>
#include <array>

namespace serentak::server {
namespace {

constexpr std::string_view prefix = "{\"data\":\"";
constexpr std::string_view suffix = "\"}\n";
constexpr std::size_t filler_bytes = 64 * 1024;

// 64 KiB of 'x', built once at compile time.
constexpr std::array<char, filler_bytes> make_filler() {
  std::array<char, filler_bytes> a{};
  for (char& c : a) c = 'x';
  return a;
}
constexpr std::array<char, filler_bytes> filler = make_filler();

}  // namespace

std::string_view huge_body_piece(std::uint64_t total, std::uint64_t offset, std::size_t max_bytes) noexcept {
  if (offset >= total || max_bytes == 0) return {};
  const bool framed = total >= prefix.size() + suffix.size();
  std::uint64_t filler_end = framed ? total - suffix.size() : total;
  if (framed && offset < prefix.size()) {
    return prefix.substr(static_cast<std::size_t>(offset), max_bytes);
  }
  if (offset >= filler_end) {
    return suffix.substr(static_cast<std::size_t>(offset - filler_end), max_bytes);
  }
  std::uint64_t n = std::min<std::uint64_t>({filler_end - offset, filler_bytes, max_bytes});
  return {filler.data(), static_cast<std::size_t>(n)};
}

}  // namespace serentak::server
