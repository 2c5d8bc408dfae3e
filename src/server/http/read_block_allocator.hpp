#pragma once
// The allocator of a connection's read buffer (session.cpp). A connection gives its buffer back
// whenever its answer waits, so 10,000 waiting connections hold no read memory; the next request
// on any of them takes a block again. Blocks of the first read's size are kept, per thread, for
// the next read on that thread instead of going back to malloc: a 4 KiB block is past glibc's
// per-thread cache, and taking and freeing one per delayed request cost several percent of the
// server's CPU (issue 19). Each thread keeps at most spare_block_limit blocks (1 MiB).
// Thread safety: the spare blocks are the calling thread's own (thread_local); a block may be
// given back on another thread than took it (a session destroyed with its io_context), where it
// joins that thread's spares. Under AddressSanitizer nothing is recycled (read_block_allocator.cpp).

#include <cstddef>
#include <new>

namespace serentak::server {

inline constexpr std::size_t read_block_bytes = 4096;
inline constexpr std::size_t spare_block_limit = 256;

void* take_read_block();                          // a spare block of read_block_bytes, or a new one
void give_back_read_block(void* block) noexcept;  // kept as a spare, or freed past the limit
bool read_blocks_are_recycled() noexcept;         // false under AddressSanitizer (see the .cpp)

template <class T>
struct read_block_allocator {
  using value_type = T;

  read_block_allocator() noexcept = default;
  template <class U>
  read_block_allocator(const read_block_allocator<U>& /*other*/) noexcept {}  // NOLINT: rebinding is implicit

  T* allocate(std::size_t n) {
    if (n * sizeof(T) == read_block_bytes) return static_cast<T*>(take_read_block());
    return static_cast<T*>(::operator new(n * sizeof(T)));
  }

  void deallocate(T* p, std::size_t n) noexcept {
    if (n * sizeof(T) == read_block_bytes) return give_back_read_block(p);
    ::operator delete(p);
  }

  template <class U>
  bool operator==(const read_block_allocator<U>& /*other*/) const noexcept {
    return true;
  }
  template <class U>
  bool operator!=(const read_block_allocator<U>& /*other*/) const noexcept {
    return false;
  }
};

}  // namespace serentak::server
