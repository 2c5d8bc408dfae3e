#include "log/output_lock.hpp"

#include <cerrno>
#include <stdexcept>
#include <string>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file_error.hpp"
#include "core/log_text.hpp"

namespace serentak::log {
namespace {

constexpr off_t pid_tag_offset = off_t{1} << 62;  // past any file a disk can hold: never data

struct flock pid_tag(short type) {
  struct flock tag {};
  tag.l_type = type;
  tag.l_whence = SEEK_SET;
  tag.l_start = pid_tag_offset;
  tag.l_len = 1;
  return tag;
}

std::string named(std::string_view what, const std::filesystem::path& path) {
  return std::string(what) + " '" + escape_for_log(path.string()) + "'";
}

[[noreturn]] void throw_output_error(std::string_view action, std::string_view what,
                                     const std::filesystem::path& path) {
  const int err = errno;  // before the allocations below can touch it
  throw_file_error(err, std::string(action) + std::string(what), path);
}

}  // namespace

void lock_output(int fd, const std::filesystem::path& path, std::string_view what) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw_output_error("cannot stat ", what, path);
  if (!S_ISREG(st.st_mode)) return;
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    if (errno != EWOULDBLOCK) throw_output_error("cannot lock ", what, path);
    struct flock holder = pid_tag(F_WRLCK);
    std::string who = "another process";
    if (::fcntl(fd, F_GETLK, &holder) == 0 && holder.l_type != F_UNLCK && holder.l_pid > 0) {
      who = "pid " + std::to_string(holder.l_pid);
    }
    throw std::invalid_argument(named(what, path) + " is in use by another serentak run (" + who +
                                "); wait for it to end or choose another file");
  }
  // The name tag; failing to set it costs only the pid in another run's message.
  struct flock tag = pid_tag(F_WRLCK);
  (void)::fcntl(fd, F_SETLK, &tag);
}

bool still_named(int fd, const std::filesystem::path& path) noexcept {
  struct stat open_file {};
  struct stat named_file {};
  if (::fstat(fd, &open_file) != 0 || ::stat(path.c_str(), &named_file) != 0) return false;
  return open_file.st_dev == named_file.st_dev && open_file.st_ino == named_file.st_ino;
}

void lock_output_at_path(int& fd, const std::filesystem::path& path, int open_flags, std::string_view what) {
  for (int tries = 0;; ++tries) {
    lock_output(fd, path, what);
    if (tries == 4 || still_named(fd, path)) return;
    const int again = ::open(path.c_str(), open_flags | O_CREAT, 0644);
    if (again < 0) throw_output_error("cannot open ", what, path);
    ::close(fd);
    fd = again;
  }
}

}  // namespace serentak::log
