#pragma once
// Memory for one response head's fields, handed out by bumping a pointer and taken back all at
// once: Beast's parser allocates every header field on its own (five allocations and five frees
// for a typical reply), which was the largest malloc traffic per request of the native transport.
// native_response rewinds it each time it makes a new parser (the old one destroyed first), so a
// slot's responses reuse the same first block.
// Owned by one native_response on one worker thread; no locking.

#include <cstddef>
#include <memory>
#include <new>
#include <vector>

namespace serentak::client {

class field_arena {
 public:
  void* allocate(std::size_t bytes, std::size_t align) {
    for (;;) {
      if (current_ < blocks_.size()) {
        block& b = blocks_[current_];
        const std::size_t start = (used_ + align - 1) / align * align;
        if (start + bytes <= b.size) {
          used_ = start + bytes;
          return b.bytes.get() + start;
        }
        ++current_;
        used_ = 0;
        continue;
      }
      const std::size_t size = bytes + align > block_bytes ? bytes + align : block_bytes;
      blocks_.push_back(block{std::make_unique<std::byte[]>(size), size});
      current_ = blocks_.size() - 1;
      used_ = 0;
    }
  }
  // Everything handed out is free again; call only once nothing allocated from it is alive.
  // Blocks past the first, and a first block made larger for an unusually large first field (a
  // server's reason phrase may be ~100 KB), are released: an idle slot holds no more than the
  // parser's fields held before, whatever the largest head it has seen.
  void rewind() noexcept {
    if (blocks_.size() > 1) blocks_.resize(1);
    if (!blocks_.empty() && blocks_.front().size > block_bytes) blocks_.clear();
    current_ = 0;
    used_ = 0;
  }
  // The bytes of the blocks it keeps (what an idle slot holds).
  std::size_t held_bytes() const noexcept {
    std::size_t total = 0;
    for (const block& b : blocks_) total += b.size;
    return total;
  }

 private:
  // A usual head's fields (five or six, about 130 bytes each with Beast's bookkeeping) fit in the
  // first block; it stays small because every slot keeps one (10,000 slots at -c 10000).
  static constexpr std::size_t block_bytes = 1024;
  struct block {
    std::unique_ptr<std::byte[]> bytes;  // new[] storage: aligned for any fundamental type
    std::size_t size = 0;
  };
  std::vector<block> blocks_;
  std::size_t current_ = 0;  // the block being filled
  std::size_t used_ = 0;     // bytes of it handed out
};

// A standard allocator over a field_arena: deallocate does nothing (rewind() frees).
template <typename T>
class arena_allocator {
 public:
  using value_type = T;
  explicit arena_allocator(field_arena& arena) noexcept : arena_(&arena) {}
  template <typename U>
  arena_allocator(const arena_allocator<U>& other) noexcept : arena_(other.arena()) {}  // NOLINT: rebinding

  T* allocate(std::size_t n) {
    static_assert(alignof(T) <= alignof(std::max_align_t), "new[] storage is aligned for max_align_t only");
    return static_cast<T*>(arena_->allocate(n * sizeof(T), alignof(T)));
  }
  void deallocate(T* /*p*/, std::size_t /*n*/) noexcept {}
  field_arena* arena() const noexcept { return arena_; }

  template <typename U>
  bool operator==(const arena_allocator<U>& other) const noexcept {
    return arena_ == other.arena();
  }

 private:
  field_arena* arena_;
};

}  // namespace serentak::client
