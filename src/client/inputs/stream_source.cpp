#include "client/inputs/stream_source.hpp"

namespace serentak::client {

std::uint64_t item_hash(std::string_view item) noexcept {
  // FNV-1a then a splitmix64 finaliser: fast, and well spread for similar IDs like "1121", "1122".
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : item) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return h;
}

stream_source::stream_source(std::vector<input_part>& parts, std::size_t max_line_bytes, url_template urls,
                             bool dedupe, std::vector<bool> done)
    : stream_(parts, max_line_bytes), urls_(std::move(urls)), dedupe_(dedupe), done_(std::move(done)) {}

std::optional<fetch_request> stream_source::next() {
  std::lock_guard lock(stream_mutex_);
  while (auto item = stream_.next()) {
    if (dedupe_ && !seen_.insert(item_hash(*item)).second) {
      ++skipped_duplicates_;
      continue;
    }
    std::size_t index = next_index_++;
    if (index < done_.size() && done_[index]) {
      ++skipped_done_;
      continue;
    }
    std::string url = urls_.expand(*item);
    return fetch_request{index, std::move(*item), std::move(url)};
  }
  return std::nullopt;
}

std::size_t stream_source::skipped_done() const {
  std::lock_guard lock(stream_mutex_);
  return skipped_done_;
}

std::size_t stream_source::skipped_duplicates() const {
  std::lock_guard lock(stream_mutex_);
  return skipped_duplicates_;
}

}  // namespace serentak::client
