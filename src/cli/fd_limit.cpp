#include "cli/fd_limit.hpp"

#include <algorithm>

#include <sys/resource.h>

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

}  // namespace serentak::cli
