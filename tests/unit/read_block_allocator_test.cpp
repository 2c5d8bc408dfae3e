// The server's read-buffer allocator: a 4 KiB block given back is the next one taken on that
// thread (no trip to malloc per delayed request), a thread keeps at most spare_block_limit, and
// other sizes are ordinary allocations.
#include "server/http/read_block_allocator.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <thread>
#include <vector>

namespace serentak::server {
namespace {

TEST(read_block_allocator, a_block_given_back_is_the_next_taken_on_the_same_thread) {
  read_block_allocator<char> allocator;
  char* first = allocator.allocate(read_block_bytes);
  std::memset(first, 'x', read_block_bytes);  // the whole block is usable (ASan checks the size)
  allocator.deallocate(first, read_block_bytes);
  char* again = allocator.allocate(read_block_bytes);
  EXPECT_EQ(again, first);
  allocator.deallocate(again, read_block_bytes);
}

TEST(read_block_allocator, other_sizes_are_ordinary_allocations) {
  read_block_allocator<char> allocator;
  char* spare = allocator.allocate(read_block_bytes);
  allocator.deallocate(spare, read_block_bytes);  // now the next 4 KiB taken would be this one
  char* small = allocator.allocate(512);
  char* large = allocator.allocate(2 * read_block_bytes);
  EXPECT_NE(small, spare);
  EXPECT_NE(large, spare);
  std::memset(small, 'x', 512);
  std::memset(large, 'x', 2 * read_block_bytes);
  allocator.deallocate(small, 512);
  allocator.deallocate(large, 2 * read_block_bytes);
  EXPECT_EQ(allocator.allocate(read_block_bytes), spare);  // the spare was not handed out for them
  allocator.deallocate(spare, read_block_bytes);
}

TEST(read_block_allocator, a_thread_keeps_at_most_the_limit) {
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
  }).join();  // ASan/LSan: every spare is freed when its thread ends
}

}  // namespace
}  // namespace serentak::server
