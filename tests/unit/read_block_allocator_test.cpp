// The server's read-buffer allocator: a 4 KiB block given back is the next one taken on that
// thread (no trip to malloc per delayed request), also through Beast's flat_buffer as the session
// uses it; a thread keeps at most spare_block_limit; other sizes are ordinary allocations; a block
// given back on another thread joins that thread's spares. Under AddressSanitizer blocks are not
// recycled (so ASan sees every stale pointer), and the tests that rely on recycling say so and skip.
#include "server/http/read_block_allocator.hpp"

#include <gtest/gtest.h>

#include <boost/beast/core/flat_buffer.hpp>

#include <cstring>
#include <thread>
#include <vector>

namespace serentak::server {
namespace {

#define SKIP_UNLESS_RECYCLED() \
  if (!read_blocks_are_recycled()) GTEST_SKIP() << "blocks are not recycled under AddressSanitizer"

TEST(read_block_allocator, a_block_given_back_is_the_next_taken_on_the_same_thread) {
  SKIP_UNLESS_RECYCLED();
  read_block_allocator<char> allocator;
  char* first = allocator.allocate(read_block_bytes);
  std::memset(first, 'x', read_block_bytes);
  allocator.deallocate(first, read_block_bytes);
  char* again = allocator.allocate(read_block_bytes);
  EXPECT_EQ(again, first);
  allocator.deallocate(again, read_block_bytes);
}

// The session's cycle: the first read prepares a block, the request is consumed, the buffer is
// released before the delay, and the next request's read gets the same block back.
TEST(read_block_allocator, a_flat_buffer_released_before_a_wait_gets_its_block_back_on_the_next_read) {
  SKIP_UNLESS_RECYCLED();
  boost::beast::basic_flat_buffer<read_block_allocator<char>> buffer(256 * 1024);
  auto space = buffer.prepare(read_block_bytes);
  const void* block = space.data();
  std::memset(space.data(), 'x', space.size());
  buffer.commit(100);
  buffer.consume(100);
  buffer.shrink_to_fit();
  EXPECT_EQ(buffer.capacity(), 0u) << "a waiting connection holds no read memory";
  EXPECT_EQ(buffer.prepare(read_block_bytes).data(), block);
}

TEST(read_block_allocator, other_sizes_are_ordinary_allocations_and_leave_the_spares_alone) {
  SKIP_UNLESS_RECYCLED();
  read_block_allocator<char> allocator;
  char* spare = allocator.allocate(read_block_bytes);
  allocator.deallocate(spare, read_block_bytes);
  char* small = allocator.allocate(512);
  char* large = allocator.allocate(2 * read_block_bytes);
  std::memset(small, 'x', 512);
  std::memset(large, 'x', 2 * read_block_bytes);
  allocator.deallocate(small, 512);
  allocator.deallocate(large, 2 * read_block_bytes);
  EXPECT_EQ(allocator.allocate(read_block_bytes), spare) << "a spare was used for another size";
  allocator.deallocate(spare, read_block_bytes);
}

TEST(read_block_allocator, a_thread_keeps_at_most_the_limit) {
  SKIP_UNLESS_RECYCLED();
  std::thread([] {
    read_block_allocator<char> allocator;
    std::vector<char*> blocks;
    for (std::size_t i = 0; i < spare_block_limit + 8; ++i) blocks.push_back(allocator.allocate(read_block_bytes));
    for (char* b : blocks) allocator.deallocate(b, read_block_bytes);  // the 8 past the limit are freed
    // The spares come back last in, first out: the first limit blocks given back, in reverse.
    std::vector<char*> taken;
    for (std::size_t i = 0; i < spare_block_limit; ++i) taken.push_back(allocator.allocate(read_block_bytes));
    for (std::size_t i = 0; i < spare_block_limit; ++i) EXPECT_EQ(taken[i], blocks[spare_block_limit - 1 - i]) << i;
    for (char* b : taken) allocator.deallocate(b, read_block_bytes);
  }).join();  // LSan: every spare is freed when its thread ends
}

// A session destroyed on another thread than the one that read (its io_context destroyed by the
// stopping thread) gives its block back there: it becomes that thread's spare.
TEST(read_block_allocator, a_block_given_back_on_another_thread_becomes_that_threads_spare) {
  SKIP_UNLESS_RECYCLED();
  read_block_allocator<char> allocator;
  char* block = nullptr;
  std::thread([&] { block = allocator.allocate(read_block_bytes); }).join();
  allocator.deallocate(block, read_block_bytes);
  char* again = allocator.allocate(read_block_bytes);
  EXPECT_EQ(again, block);
  allocator.deallocate(again, read_block_bytes);
}

TEST(read_block_allocator, every_size_is_usable_whole) {  // runs under every build: ASan checks the sizes
  read_block_allocator<char> allocator;
  for (std::size_t size : {std::size_t{1}, std::size_t{512}, read_block_bytes, 3 * read_block_bytes}) {
    char* p = allocator.allocate(size);
    std::memset(p, 'x', size);
    allocator.deallocate(p, size);
  }
}

}  // namespace
}  // namespace serentak::server
