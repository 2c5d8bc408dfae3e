// item_set, the --dedupe set: every distinct item is kept and every repeat dropped even when every
// hash collides (the items are read back and compared exactly, with the parser's normalisation),
// across inline items, files and spilled standard input; and its table's bytes per item.
#include "client/inputs/item_set.hpp"

#include <cstdint>
#include <fstream>
#include <string>
#include <unordered_set>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "support/file_text.hpp"
#include "support/test_paths.hpp"

namespace serentak::client {
namespace {

using testing::scratch_dir;

constexpr std::size_t max_line = 64 * 1024;

std::uint64_t same_hash(std::string_view) noexcept { return 0x5eed5eed5eed5eedULL; }  // every item collides
std::uint64_t last_byte_hash(std::string_view item) noexcept {  // items ending alike collide
  return item.empty() ? 0 : std::uint64_t{static_cast<unsigned char>(item.back())} * 0x0101010101010101ULL;
}

using testing::write_file;

// The inputs, scanned as the run scans them (descriptors closed at the end).
struct scanned {
  scanned(const std::vector<std::string>& positional, const std::vector<std::string>& files)
      : parts(plan_inputs(positional, files)), items(scan_inputs(parts, max_line, [](std::string_view) {})) {}
  ~scanned() { close_inputs(parts); }
  std::vector<input_part> parts;
  std::size_t items;
};

// Standard input read from a file for the life of the object.
class stdin_from {
 public:
  explicit stdin_from(const std::filesystem::path& path) : saved_(::dup(0)) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    EXPECT_GE(fd, 0);
    ::dup2(fd, 0);
    ::close(fd);
  }
  ~stdin_from() {
    ::dup2(saved_, 0);
    ::close(saved_);
  }
  stdin_from(const stdin_from&) = delete;
  stdin_from& operator=(const stdin_from&) = delete;

 private:
  int saved_;
};

struct streamed {
  std::vector<std::string> kept;  // items is_first hands out, in order
  std::vector<std::string> first_occurrences;  // what a set of the whole texts keeps: the reference
  std::size_t distinct = 0;
  std::size_t bytes = 0;
  std::size_t read_backs = 0;
};

// Builds the set as the run does, then streams the items again asking is_first, as stream_source does.
streamed dedupe(scanned& in, item_hash_function hash, std::size_t expected_distinct) {
  item_set set = build_item_set(in.parts, in.items, expected_distinct, max_line, nullptr, hash);
  streamed out;
  out.distinct = set.size();
  out.bytes = set.bytes();
  std::unordered_set<std::string> seen;
  item_stream stream(in.parts, max_line);
  while (auto item = stream.next()) {
    if (set.is_first(*item, stream.place())) out.kept.push_back(*item);
    if (seen.insert(*item).second) out.first_occurrences.push_back(*item);
  }
  out.read_backs = set.read_backs();
  return out;
}

TEST(item_set, no_distinct_item_is_dropped_when_every_hash_collides) {
  scratch_dir dir;
  std::string first;
  std::string second;
  for (int i = 0; i < 300; ++i) {
    first += "id-" + std::to_string(i) + "\n";
    second += "  id-" + std::to_string(299 - i) + "\t\r\n";  // the same items, written otherwise
    if (i % 3 == 0) second += "id-" + std::to_string(i) + "x\n";  // new items sharing a prefix
  }
  write_file(dir.path() / "first.txt", first);
  write_file(dir.path() / "second.txt", second);
  scanned in({}, {(dir.path() / "first.txt").string(), (dir.path() / "second.txt").string()});
  ASSERT_EQ(in.items, 700u);
  for (item_hash_function hash : {same_hash, last_byte_hash, item_hash}) {
    streamed got = dedupe(in, hash, 400);
    EXPECT_EQ(got.distinct, 400u);
    EXPECT_EQ(got.kept, got.first_occurrences);
    if (hash == same_hash) {
      EXPECT_GT(got.read_backs, 700u) << "collisions must be told apart by reading items back";
    }
  }
}

TEST(item_set, is_sized_for_the_distinct_items_and_a_low_estimate_costs_a_read_never_an_item) {
  scratch_dir dir;
  std::string text;
  for (int i = 0; i < 3000; ++i) text += "id-" + std::to_string(i % 1000) + "\n";  // 1,000 distinct, each 3 times
  write_file(dir.path() / "ids.txt", text);
  scanned in({}, {(dir.path() / "ids.txt").string()});
  streamed estimated = dedupe(in, item_hash, 1000);
  EXPECT_EQ(estimated.kept, estimated.first_occurrences);
  EXPECT_EQ(estimated.bytes, 2048u * 8) << "sized for 1,000 (plus 5%), not 3,000";
  for (std::size_t low : {0, 10, 500}) {
    streamed rebuilt = dedupe(in, item_hash, low);
    EXPECT_EQ(rebuilt.distinct, 1000u) << low;
    EXPECT_EQ(rebuilt.kept, rebuilt.first_occurrences) << low;
    EXPECT_EQ(rebuilt.bytes, 4096u * 8) << low << ": built again for every line";
  }
}

TEST(item_set, items_are_read_back_across_arguments_stdin_and_files_with_the_parsers_normalisation) {
  scratch_dir dir;
  // A BOM counts on a file's first line only; one CR ends a line; spaces and tabs around go; a
  // comment is no item; an item that is a prefix of another is not its repeat.
  write_file(dir.path() / "stdin.txt", "b\r\n  a \n# a\nab\n\xEF\xBB\xBF" "c\nlast-no-newline");
  write_file(dir.path() / "f1.txt", "\xEF\xBB\xBF" "c\nab\r\r\n\tb\t\nd\n");
  write_file(dir.path() / "f2.txt", "ab\r\nlast-no-newline\nd\n\xEF\xBB\xBF" "c\nabc\n");
  stdin_from input(dir.path() / "stdin.txt");
  scanned in({"a", "-", "x", "a"}, {(dir.path() / "f1.txt").string(), (dir.path() / "f2.txt").string()});
  const std::vector<std::string> expected{"a", "b", "ab", "\xEF\xBB\xBF" "c", "last-no-newline", "x", "c", "ab\r", "d", "abc"};
  for (item_hash_function hash : {same_hash, last_byte_hash, item_hash}) {
    streamed got = dedupe(in, hash, expected.size());
    EXPECT_EQ(got.first_occurrences, expected);
    EXPECT_EQ(got.kept, expected);
    EXPECT_EQ(got.distinct, expected.size());
  }
}

TEST(item_set, insert_says_whether_an_equal_item_was_there) {
  scratch_dir dir;
  write_file(dir.path() / "f.txt", "one\ntwo\n one \n");
  scanned in({"two", "three"}, {(dir.path() / "f.txt").string()});
  item_set set(in.parts, in.items, max_line, same_hash);
  EXPECT_TRUE(set.insert("two", item_place{0, 0}));
  EXPECT_TRUE(set.insert("three", item_place{0, 1}));
  EXPECT_TRUE(set.insert("one", item_place{1, 0}));
  EXPECT_FALSE(set.insert("two", item_place{1, 4}));
  EXPECT_FALSE(set.insert("one", item_place{1, 8}));
  EXPECT_EQ(set.size(), 3u);
  EXPECT_TRUE(set.is_first("one", item_place{1, 0}));
  EXPECT_FALSE(set.is_first("one", item_place{1, 8}));
  EXPECT_FALSE(set.is_first("two", item_place{1, 4}));
  EXPECT_TRUE(set.is_first("four", item_place{1, 4})) << "an item not in the set is handed out, never dropped";
}

TEST(item_set, its_table_is_8_byte_slots_at_most_three_quarters_full) {
  scratch_dir dir;
  write_file(dir.path() / "f.txt", "x\n");
  scanned in({}, {(dir.path() / "f.txt").string()});
  for (std::size_t items = 16; items <= 6000; items += 7) {
    item_set set(in.parts, items, max_line);
    std::size_t slots = set.bytes() / 8;
    EXPECT_EQ(slots & (slots - 1), 0u) << items;
    EXPECT_GE(slots * 3, items * 4) << items;  // at most 3/4 full
    EXPECT_LE(set.bytes() * 3, items * 64) << items;  // at most 21.4 bytes per item
  }
}

}  // namespace
}  // namespace serentak::client
