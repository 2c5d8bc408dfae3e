#include "client/inputs/item_set.hpp"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <unistd.h>

#include "core/fnv1a.hpp"
#include "core/item_lines.hpp"
#include "core/splitmix64.hpp"

namespace serentak::client {

std::uint64_t item_hash(std::string_view item) noexcept {
  // FNV-1a then mixed: fast, and well spread (top bits included, which pick the slot) for similar
  // IDs like "1121", "1122".
  return splitmix64(fnv1a_64().add(item).value());
}

namespace {

// At most 3/4 full, so a probe run stays short; sized once, because a slot does not keep the hash
// bits a bigger table would need (growing would mean reading every item back).
std::size_t slot_count(std::size_t capacity_for) {
  return std::bit_ceil(std::max<std::size_t>(capacity_for + capacity_for / 3 + 1, 16));
}

}  // namespace

item_set::item_set(const std::vector<input_part>& parts, std::size_t capacity_for, std::size_t max_line_bytes,
                   item_hash_function hash)
    : parts_(&parts), max_line_bytes_(max_line_bytes), hash_(hash), slots_(slot_count(capacity_for)) {
  std::uint64_t span = 0;
  starts_.reserve(parts.size());
  for (const input_part& part : parts) {
    starts_.push_back(span);
    span += part.what == input_part::kind::file ? part.checked_bytes : part.items.size();
  }
  place_bits_ = static_cast<unsigned>(std::bit_width(span));
  place_mask_ = place_bits_ >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << place_bits_) - 1;
  shift_ = 64 - static_cast<unsigned>(std::countr_zero(slots_.size()));
}

bool item_set::insert(std::string_view item, item_place at) {
  std::uint64_t h = hash_(item);
  std::uint64_t fragment = place_bits_ >= 64 ? 0 : h << place_bits_;
  probe hit = find(item, fragment, static_cast<std::size_t>(h >> shift_), 0);
  if (hit.found) return false;
  // One slot always stays empty, so every probe ends.
  if (size_ + 2 > slots_.size()) throw std::length_error("--dedupe: more items than the input was counted to hold");
  slots_[hit.slot] = fragment | number(at);
  ++size_;
  return true;
}

bool item_set::is_first(std::string_view item, item_place at) {
  std::uint64_t h = hash_(item);
  std::uint64_t fragment = place_bits_ >= 64 ? 0 : h << place_bits_;
  std::uint64_t mine = number(at);
  probe hit = find(item, fragment, static_cast<std::size_t>(h >> shift_), mine);
  return !hit.found || (slots_[hit.slot] & place_mask_) == mine;
}

item_set::probe item_set::find(std::string_view item, std::uint64_t fragment, std::size_t start, std::uint64_t mine) {
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = start;; i = (i + 1) & mask) {
    std::uint64_t slot = slots_[i];
    if (slot == 0) return {i, false};
    if ((slot & ~place_mask_) != fragment) continue;
    std::uint64_t place = slot & place_mask_;
    // Same fragment: the same item, or a collision that one exact comparison tells apart.
    if (place == mine || holds(place, item)) return {i, true};
  }
}

std::uint64_t item_set::number(item_place at) const { return starts_.at(at.part) + at.at + 1; }

bool item_set::holds(std::uint64_t place, std::string_view item) {
  ++read_backs_;
  std::uint64_t offset = place - 1;
  auto after = std::upper_bound(starts_.begin(), starts_.end(), offset);
  std::size_t part_index = static_cast<std::size_t>(after - starts_.begin()) - 1;
  const input_part& part = (*parts_)[part_index];
  std::uint64_t local = offset - starts_[part_index];
  if (part.what == input_part::kind::inline_items) return local < part.items.size() && part.items[local] == item;

  // The raw line, up to its newline or the end of what was checked; at most a BOM and a CR more than
  // max_line_bytes_ (the scan refused longer): longer means the file changed since, so no match.
  const std::size_t longest = max_line_bytes_ + 4;
  line_.clear();
  std::uint64_t at = local;
  std::size_t want = item.size() + 64;
  for (;;) {
    std::uint64_t left = part.checked_bytes > at ? part.checked_bytes - at : 0;
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(want, left));
    if (n == 0) break;
    std::size_t old = line_.size();
    line_.resize(old + n);
    ssize_t got = ::pread(part.fd, line_.data() + old, n, static_cast<off_t>(at));
    if (got < 0 && errno == EINTR) {
      line_.resize(old);
      continue;
    }
    if (got < 0) throw std::runtime_error(input_name(part) + " cannot be read back for --dedupe: " + std::strerror(errno));
    line_.resize(old + static_cast<std::size_t>(got));
    if (got == 0) break;  // shorter than when it was checked
    if (auto end = line_.find('\n', old); end != std::string::npos) {
      line_.resize(end);
      break;
    }
    if (line_.size() > longest) return false;
    at += static_cast<std::uint64_t>(got);
    want *= 2;
  }
  if (line_.size() > longest) return false;
  // Exactly the normalisation item_line_parser applies; a BOM counts only on a file's first line.
  return item_of_stripped(strip_line_ends(line_, local == 0)) == item;
}

namespace {

// False as soon as set is more than 3/4 full: it was sized for too few.
bool fill(item_set& set, std::vector<input_part>& parts, std::size_t max_line_bytes, const std::atomic<bool>* stop) {
  item_stream stream(parts, max_line_bytes);
  std::size_t handed = 0;
  while (auto item = stream.next()) {
    if ((++handed & 0xffff) == 0 && stop != nullptr && stop->load()) throw input_interrupted();
    if (set.insert(*item, stream.place()) && set.over_three_quarters()) return false;
  }
  return true;
}

}  // namespace

item_set build_item_set(std::vector<input_part>& parts, std::size_t items, std::size_t expected_distinct,
                        std::size_t max_line_bytes, const std::atomic<bool>* stop, item_hash_function hash) {
  std::size_t sized_for = std::min(items, expected_distinct + expected_distinct / 20 + 64);
  for (;;) {
    {
      item_set set(parts, sized_for, max_line_bytes, hash);
      if (fill(set, parts, max_line_bytes, stop)) return set;
    }  // freed before the next one is made
    // Sized for every item, the set is never more than 3/4 full: this second round is the last.
    sized_for = items;
  }
}

}  // namespace serentak::client
