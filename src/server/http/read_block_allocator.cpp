#include "server/http/read_block_allocator.hpp"

#include <array>

namespace serentak::server {
namespace {

// The calling thread's spare blocks, freed when the thread ends.
struct spare_blocks {
  std::array<void*, spare_block_limit> blocks{};
  std::size_t count = 0;

  spare_blocks() = default;
  spare_blocks(const spare_blocks&) = delete;
  spare_blocks& operator=(const spare_blocks&) = delete;
  ~spare_blocks() {
    while (count > 0) ::operator delete(blocks[--count]);
  }
};

spare_blocks& this_threads_spares() {
  thread_local spare_blocks spares;
  return spares;
}

}  // namespace

void* take_read_block() {
  spare_blocks& spares = this_threads_spares();
  if (spares.count > 0) return spares.blocks[--spares.count];
  return ::operator new(read_block_bytes);
}

void give_back_read_block(void* block) noexcept {
  spare_blocks& spares = this_threads_spares();
  if (spares.count < spare_block_limit) {
    spares.blocks[spares.count++] = block;
    return;
  }
  ::operator delete(block);
}

}  // namespace serentak::server
