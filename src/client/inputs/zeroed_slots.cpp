#include "client/inputs/zeroed_slots.hpp"

#include <new>

#include <sys/mman.h>

namespace serentak::client {
namespace {

constexpr std::size_t huge_page = std::size_t{2} << 20;

}  // namespace

zeroed_slots::zeroed_slots(std::size_t count) : count_(count) {
  std::size_t bytes = count * sizeof(std::uint64_t);
  if (bytes < huge_page) {
    void* mapped = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED) throw std::bad_alloc();
    data_ = static_cast<std::uint64_t*>(mapped);
    mapped_bytes_ = bytes;
    return;
  }
  // Over-allocate by one huge page and give back the unaligned head and tail.
  bytes = (bytes + huge_page - 1) / huge_page * huge_page;
  void* mapped = ::mmap(nullptr, bytes + huge_page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapped == MAP_FAILED) throw std::bad_alloc();
  auto start = reinterpret_cast<std::uintptr_t>(mapped);
  std::uintptr_t aligned = (start + huge_page - 1) / huge_page * huge_page;
  if (aligned > start) ::munmap(mapped, aligned - start);
  std::uintptr_t end = start + bytes + huge_page;
  if (end > aligned + bytes) ::munmap(reinterpret_cast<void*>(aligned + bytes), end - (aligned + bytes));
  data_ = reinterpret_cast<std::uint64_t*>(aligned);
  mapped_bytes_ = bytes;
  ::madvise(data_, bytes, MADV_HUGEPAGE);  // a hint: without huge pages the table still works
}

zeroed_slots::~zeroed_slots() {
  if (data_ != nullptr) ::munmap(data_, mapped_bytes_);
}

zeroed_slots::zeroed_slots(zeroed_slots&& other) noexcept
    : data_(other.data_), count_(other.count_), mapped_bytes_(other.mapped_bytes_) {
  other.data_ = nullptr;
  other.count_ = 0;
  other.mapped_bytes_ = 0;
}

}  // namespace serentak::client
