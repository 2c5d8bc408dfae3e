#pragma once
// The set --dedupe keeps: for each distinct item, the place where it first occurs in the inputs,
// never its text. The text stays in the inputs (every file part is a regular file by then) and is
// read back with pread(2) to compare exactly, so a hash collision costs one read, never an item.
//
// Memory: one 8-byte slot per table entry, nothing else per item. The table is sized once, for the
// distinct items the scan estimated (core/distinct_estimate, plus 5%), so repeats cost nothing: the
// power of two at or above 4/3 of that, so it is at most 3/4 full and costs 10.7 to 22.4 bytes per
// distinct item (13.4 for 10,000,000; bench/RESULTS.md has the measured figure). Should the estimate
// fall short, the table is built again for every item the scan counted (10.7 to 21.4 bytes per line
// given), one table at a time. A slot holds the item's place as one number (a byte offset across the
// parts laid end to end, plus one: 0 is an empty slot) in its low bits and a fragment of the hash in
// the bits that place does not need; the slot's position comes from the hash's top bits (linear
// probing). Only a fragment match reads an item back.
//
// Thread safety: none inside. One user at a time: the scan builds it (build_item_set), then
// stream_source queries it under its stream_mutex_. It reads the parts' descriptors with pread
// only, so it never moves the file offset item_stream reads from.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "client/inputs/item_inputs.hpp"
#include "client/inputs/zeroed_slots.hpp"

namespace serentak::client {

// The 64-bit hash of an item's text.
std::uint64_t item_hash(std::string_view item) noexcept;
using item_hash_function = std::uint64_t (*)(std::string_view) noexcept;

class item_set {
 public:
  // parts: scanned (checked_bytes final, descriptors open), outliving the set. capacity_for: the
  // distinct items it is sized for, at most 3/4 full with that many. hash: injectable, so tests
  // can force collisions.
  item_set(const std::vector<input_part>& parts, std::size_t capacity_for, std::size_t max_line_bytes,
           item_hash_function hash = item_hash);

  // Records that item is at `at` unless an equal item is already in the set; true if it was not.
  // Throws std::runtime_error naming the input if an item cannot be read back.
  bool insert(std::string_view item, item_place at);

  // True if `at` is where item first occurs (insert saw it there first). An item not in the set at
  // all (its input changed after the check) is also true: handed out rather than dropped.
  bool is_first(std::string_view item, item_place at);

  std::size_t size() const noexcept { return size_; }
  bool over_three_quarters() const noexcept { return size_ * 4 > slots_.size() * 3; }  // sized too small
  std::size_t bytes() const noexcept { return slots_.size() * sizeof(std::uint64_t); }  // the table
  std::size_t read_backs() const noexcept { return read_backs_; }  // items read back to compare

 private:
  struct probe {
    std::size_t slot;
    bool found;  // an equal item is at slots_[slot]; else slots_[slot] is the empty slot ending the run
  };
  // The first slot holding item, or the empty slot after its run. With mine, a slot whose place is
  // mine is taken as holding item without a read (the place was recorded for this very item).
  probe find(std::string_view item, std::uint64_t fragment, std::size_t start, std::uint64_t mine);
  std::uint64_t number(item_place at) const;             // 1-based, across all parts
  bool holds(std::uint64_t place, std::string_view item);  // the item at that place number is item

  const std::vector<input_part>* parts_;
  std::size_t max_line_bytes_;
  item_hash_function hash_;
  std::vector<std::uint64_t> starts_;  // per part: the number its first byte (or item) gets, minus one
  unsigned place_bits_ = 0;            // low bits of a slot holding the place number
  std::uint64_t place_mask_ = 0;
  unsigned shift_ = 0;                 // 64 - log2(slot count): the hash's top bits pick the slot
  zeroed_slots slots_;                 // 0: empty; else fragment | place number
  std::size_t size_ = 0;
  std::size_t read_backs_ = 0;
  std::string line_;  // a line read back, reused
};

// Builds the set over parts (scanned: `items` is scan_inputs' count), reading them through an
// item_stream, each item with its first place. The table is sized for expected_distinct plus 5% (at
// most items); if more distinct items come, it is dropped and built again for `items`: a low
// estimate costs one more read of the inputs, never an item. Notices *stop every 65,536 items and
// throws input_interrupted.
item_set build_item_set(std::vector<input_part>& parts, std::size_t items, std::size_t expected_distinct,
                        std::size_t max_line_bytes, const std::atomic<bool>* stop = nullptr,
                        item_hash_function hash = item_hash);

}  // namespace serentak::client
