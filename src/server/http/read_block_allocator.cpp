#include "server/http/read_block_allocator.hpp"

#include <array>

namespace serentak::server {

// Under AddressSanitizer every block is its own allocation: a stale pointer into a connection's
// released buffer is then reported, not silently reading the next connection's bytes.
#if defined(__SANITIZE_ADDRESS__)
bool read_blocks_are_recycled() noexcept { return false; }
void* take_read_block() { return ::operator new(read_block_bytes); }
void give_back_read_block(void* block) noexcept { ::operator delete(block); }
#else
namespace {

// The calling thread's spare blocks, freed when the thread ends. A block given back after that
// (a session destroyed during the thread's own teardown) is freed at once.
struct spare_blocks {
  std::array<void*, spare_block_limit> blocks{};
  std::size_t count = 0;
  bool gone = false;

  spare_blocks() = default;
  spare_blocks(const spare_blocks&) = delete;
  spare_blocks& operator=(const spare_blocks&) = delete;
  ~spare_blocks() {
    gone = true;
    while (count > 0) ::operator delete(blocks[--count]);
  }
};

spare_blocks& this_threads_spares() {
  thread_local spare_blocks spares;
  return spares;
}

}  // namespace

bool read_blocks_are_recycled() noexcept { return true; }

void* take_read_block() {
  spare_blocks& spares = this_threads_spares();
  if (spares.count > 0) return spares.blocks[--spares.count];
  return ::operator new(read_block_bytes);
}

void give_back_read_block(void* block) noexcept {
  spare_blocks& spares = this_threads_spares();
  if (!spares.gone && spares.count < spare_block_limit) {
    spares.blocks[spares.count++] = block;
    return;
  }
  ::operator delete(block);
}
#endif

}  // namespace serentak::server
