#include "cli/fd_limit.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>

namespace serentak::cli {
namespace {

constexpr std::size_t reserved_fds = 64;

}  // namespace

std::size_t raise_fd_limit() noexcept {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur == RLIM_INFINITY ? static_cast<std::size_t>(1) << 20 : static_cast<std::size_t>(limit.rlim_cur);
}

std::size_t fitting_concurrency(std::size_t wanted, std::size_t fd_limit) noexcept {
  std::size_t room = fd_limit > reserved_fds * 2 ? fd_limit - reserved_fds : fd_limit / 2;
  return std::clamp<std::size_t>(wanted, 1, std::max<std::size_t>(room, 1));
}

std::size_t descriptors_for(std::size_t connections) noexcept { return connections + reserved_fds; }

void reserve_descriptor_table(std::size_t descriptors) noexcept {
  rlimit limit{};
  if (descriptors == 0 || ::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur != RLIM_INFINITY) descriptors = std::min<std::size_t>(descriptors, limit.rlim_cur);
  if (descriptors == 0) return;  // a soft limit of 0: no table to size
  // A duplicate at the highest wanted number makes the kernel size the table for it; closed at
  // once, it leaves the table grown (a table never shrinks) and every descriptor as it was.
  const int probe = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (probe < 0) return;
  const int highest = ::fcntl(probe, F_DUPFD_CLOEXEC, static_cast<int>(std::min<std::size_t>(descriptors - 1, 1 << 30)));
  if (highest >= 0) ::close(highest);
  ::close(probe);
}

}  // namespace serentak::cli
