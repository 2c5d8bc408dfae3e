#include "core/bounded_file.hpp"

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "support/test_paths.hpp"

namespace serentak {
namespace {

// The status flags of the descriptor this process has open on path (from /proc/self/fdinfo), or
// nullopt when none is open on it.
std::optional<int> open_flags_of(const std::filesystem::path& path) {
  const auto wanted = std::filesystem::canonical(path);
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    const auto target = std::filesystem::read_symlink(entry.path(), ec);
    if (ec || target != wanted) continue;
    std::ifstream info("/proc/self/fdinfo/" + entry.path().filename().string());
    for (std::string line; std::getline(info, line);) {
      if (line.rfind("flags:", 0) == 0) return std::stoi(line.substr(6), nullptr, 8);
    }
  }
  return std::nullopt;
}

// Every file was opened O_NONBLOCK, which only a FIFO needs (its open must not wait for a writer);
// a device or any other file is to be read as it usually is.
TEST(bounded_file, only_a_fifo_is_opened_non_blocking) {
  testing::scratch_dir dir;
  const auto file = dir.path() / "body.txt";
  std::ofstream(file) << "hello";
  std::optional<int> flags;
  EXPECT_EQ(read_bounded_file(file.string(), 1024,
                              [&] {
                                if (!flags) flags = open_flags_of(file);
                                return false;
                              }),
            "hello");
  ASSERT_TRUE(flags.has_value());
  EXPECT_EQ(*flags & O_NONBLOCK, 0) << "a regular file was opened O_NONBLOCK";

  const auto fifo = dir.path() / "body.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::optional<int> fifo_flags;
  EXPECT_THROW(read_bounded_file(fifo.string(), 1024,
                                 [&] {
                                   fifo_flags = open_flags_of(fifo);
                                   return true;  // no writer will come: stop at once
                                 }),
               file_read_interrupted);
  ASSERT_TRUE(fifo_flags.has_value());
  EXPECT_NE(*fifo_flags & O_NONBLOCK, 0) << "a FIFO's open would wait for a writer";
}

}  // namespace
}  // namespace serentak
