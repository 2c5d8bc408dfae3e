#include "client/inputs/stream_source.hpp"

#include "core/url_redaction.hpp"

namespace serentak::client {

stream_source::stream_source(std::vector<input_part>& parts, std::size_t max_line_bytes, url_template urls,
                             item_set* distinct)
    : stream_(parts, max_line_bytes), urls_(std::move(urls)), distinct_(distinct) {}

std::optional<fetch_request> stream_source::next() {
  std::lock_guard lock(stream_mutex_);
  if (results_ != nullptr && results_->failed()) return std::nullopt;
  std::size_t skipped = 0;
  while (auto item = stream_.next()) {
    if ((++skipped & 0x3ff) == 0 && stop_ != nullptr && stop_->load(std::memory_order_relaxed)) return std::nullopt;
    if (distinct_ != nullptr && !distinct_->is_first(*item, stream_.place())) {
      ++skipped_duplicates_;
      continue;
    }
    std::size_t index = next_index_++;
    std::string url = urls_.expand(*item);
    if (resumed_ != nullptr) {
      auto record = resumed_->find(stored_field(redact_item(*item), format_), stored_field(redact_url(url), format_));
      if (record && !(refetch_transient_ && is_transient_record(*record))) {
        ++skipped_done_;
        continue;
      }
      if (record) ++refetched_;
    }
    return fetch_request{index, std::move(*item), std::move(url)};
  }
  return std::nullopt;
}

std::size_t stream_source::skipped_done() const {
  std::lock_guard lock(stream_mutex_);
  return skipped_done_;
}

std::size_t stream_source::refetched() const {
  std::lock_guard lock(stream_mutex_);
  return refetched_;
}

std::size_t stream_source::skipped_duplicates() const {
  std::lock_guard lock(stream_mutex_);
  return skipped_duplicates_;
}

}  // namespace serentak::client
