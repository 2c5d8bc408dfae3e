#include "client/transport/native/field_arena.hpp"

#include <cstdint>
#include <map>
#include <string>

#include <gtest/gtest.h>

namespace {

using serentak::client::arena_allocator;
using serentak::client::field_arena;

TEST(field_arena, hands_out_aligned_distinct_memory_and_reuses_it_after_a_rewind) {
  field_arena arena;
  void* first = arena.allocate(10, 1);
  void* second = arena.allocate(16, 8);
  EXPECT_NE(first, second);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(second) % 8, 0U);
  void* big = arena.allocate(5000, 16);  // past the first block: a block of its own
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(big) % 16, 0U);
  arena.rewind();
  EXPECT_EQ(arena.allocate(10, 1), first);
}

TEST(field_arena, a_slot_keeps_one_small_block_whatever_the_largest_head_it_has_seen) {
  field_arena arena;
  arena.allocate(100, 8);
  arena.rewind();
  const std::size_t usual = arena.held_bytes();
  EXPECT_GT(usual, 0U);
  field_arena fresh;
  fresh.allocate(100000, 8);  // a huge reason phrase as a slot's first field: a first block that large
  fresh.rewind();
  EXPECT_LE(fresh.held_bytes(), usual);
  arena.allocate(100, 8);
  arena.allocate(100000, 8);  // a huge later field: a second block
  arena.rewind();
  EXPECT_EQ(arena.held_bytes(), usual);
}

TEST(field_arena, serves_a_standard_container_through_arena_allocator) {
  field_arena arena;
  using alloc = arena_allocator<std::pair<const int, std::string>>;
  std::map<int, std::string, std::less<>, alloc> fields{alloc(arena)};
  for (int k = 0; k < 200; ++k) fields.emplace(k, std::string(40, static_cast<char>('a' + k % 26)));
  EXPECT_EQ(fields.size(), 200U);
  EXPECT_EQ(fields.at(27), std::string(40, 'b'));
}

}  // namespace
