#include "cli/console.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

#include "cli/exit_codes.hpp"
#include "log/line_writer.hpp"

namespace serentak::cli::console {
namespace {

std::atomic<int> stdout_errno{0};  // first failure only: later ones say nothing new
std::atomic<int> stderr_errno{0};

void write_to(int fd, std::atomic<int>& first_error, std::string_view text) noexcept {
  if (text.empty()) return;
  if (int error = log::write_fully(fd, text); error != 0) {
    int none = 0;
    first_error.compare_exchange_strong(none, error);
  }
}

}  // namespace

void prepare_process() noexcept {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    // The lowest free descriptor is fd itself (the ones below are open by now); dup2 covers the rest.
    int opened = ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
    if (opened > fd) {
      ::dup2(opened, fd);
      ::close(opened);
    }
  }
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGXFSZ, SIG_IGN);
}

void out(std::string_view text) noexcept { write_to(1, stdout_errno, text); }
void err(std::string_view text) noexcept { write_to(2, stderr_errno, text); }

int stdout_error() noexcept { return stdout_errno.load(); }
int stderr_error() noexcept { return stderr_errno.load(); }

int settle_exit_status(int status, std::string_view command) noexcept {
  int error = stdout_error();
  if (error == 0 || (status != exit_ok && status != exit_items_failed)) return status;
  if (error != EPIPE) err("{}: cannot write to stdout: {}\n", command, std::strerror(error));
  return exit_io_error;
}

}  // namespace serentak::cli::console
