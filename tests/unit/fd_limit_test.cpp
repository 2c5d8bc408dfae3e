#include "cli/fd_limit.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <string>

#include <gtest/gtest.h>

namespace serentak::cli {
namespace {

// The size of this process's descriptor table: FDSize in /proc/self/status.
std::size_t descriptor_table_size() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("FDSize:", 0) == 0) return std::stoul(line.substr(7));
  }
  return 0;
}

std::size_t open_descriptors() {
  std::size_t count = 0;
  if (DIR* dir = ::opendir("/proc/self/fd")) {
    while (const dirent* entry = ::readdir(dir)) count += entry->d_name[0] != '.';
    ::closedir(dir);
  }
  return count - 1;  // the directory stream's own descriptor
}

// Runs check in a forked child (a fresh, small descriptor table, and the soft limit it sets stays
// there); the child's exit status is check's: 0 for success, else which expectation failed.
int in_child(const std::function<int()>& check) {
  const pid_t pid = ::fork();
  if (pid == 0) _exit(check());
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

TEST(fd_limit, concurrency_keeps_room_for_the_process_own_files) {
  EXPECT_EQ(fitting_concurrency(10'000, 20'000), 10'000u);
  EXPECT_EQ(fitting_concurrency(10'000, 1024), 1024u - 64);
  EXPECT_EQ(fitting_concurrency(500, 100), 50u);  // a tiny limit: half of it
  EXPECT_EQ(fitting_concurrency(0, 1024), 1u);
  EXPECT_EQ(descriptors_for(10'000), 10'064u);
}

TEST(fd_limit, the_table_is_grown_at_once_and_every_descriptor_stays_as_it_was) {
  EXPECT_EQ(in_child([] {
              rlimit limit{};
              if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 10;
              limit.rlim_cur = std::min<rlim_t>(4096, limit.rlim_max);
              if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) return 10;
              const std::size_t wanted = limit.rlim_cur - 64;
              const std::size_t before = descriptor_table_size();
              const std::size_t open_before = open_descriptors();
              if (before == 0 || before >= wanted) return 11;  // nothing to show: already that large
              reserve_descriptor_table(wanted);
              if (descriptor_table_size() < wanted) return 12;
              if (open_descriptors() != open_before) return 13;
              return 0;
            }),
            0);
}

TEST(fd_limit, the_table_stops_at_the_soft_limit) {
  EXPECT_EQ(in_child([] {
              rlimit limit{300, 300};
              if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) return 10;
              const std::size_t open_before = open_descriptors();
              reserve_descriptor_table(100'000);
              const std::size_t size = descriptor_table_size();
              if (size < 300 || size > 1024) return 11;  // the kernel rounds up to a power of two
              if (open_descriptors() != open_before) return 12;
              return 0;
            }),
            0);
}

}  // namespace
}  // namespace serentak::cli
