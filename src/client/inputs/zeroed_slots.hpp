#pragma once
// The memory of item_set's table: an anonymous mapping of 64-bit slots, zero until written, on huge
// pages where the kernel allows them (MADV_HUGEPAGE, 2 MiB aligned). Random probes into a table of
// 100+ MB otherwise miss the TLB at nearly every insert: on the bench machine (a VM) the build of a
// 10,000,000-item set spent most of its time there. One owner; movable, not copyable.

#include <cstddef>
#include <cstdint>

namespace serentak::client {

class zeroed_slots {
 public:
  explicit zeroed_slots(std::size_t count);  // throws std::bad_alloc
  ~zeroed_slots();
  zeroed_slots(zeroed_slots&& other) noexcept;
  zeroed_slots(const zeroed_slots&) = delete;
  zeroed_slots& operator=(const zeroed_slots&) = delete;
  zeroed_slots& operator=(zeroed_slots&&) = delete;

  std::uint64_t& operator[](std::size_t i) noexcept { return data_[i]; }
  std::uint64_t operator[](std::size_t i) const noexcept { return data_[i]; }
  std::size_t size() const noexcept { return count_; }

 private:
  std::uint64_t* data_ = nullptr;
  std::size_t count_ = 0;
  std::size_t mapped_bytes_ = 0;  // what munmap releases
};

}  // namespace serentak::client
