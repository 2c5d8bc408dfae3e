#include "core/bounded_file.hpp"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fd_guard.hpp"

namespace serentak {
namespace {

constexpr std::size_t chunk_bytes = 64 * 1024;
constexpr int poll_ms = 100;  // how soon a stop is noticed while a FIFO or a terminal has nothing to read

std::string over(std::size_t max_bytes) { return "is over " + byte_limit_text(max_bytes); }

}  // namespace

std::string byte_limit_text(std::size_t bytes) {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0) return std::to_string(bytes / (1024 * 1024)) + " MiB";
  if (bytes >= 1024 && bytes % 1024 == 0) return std::to_string(bytes / 1024) + " KiB";
  return std::to_string(bytes) + " bytes";
}

std::string read_bounded_file(const std::string& path, std::size_t max_bytes, const std::function<bool()>& stopped) {
  // O_NONBLOCK for a FIFO only: its open does not wait for a writer; the poll below does, listening
  // for a stop. Anything else opens as usual (a device may treat a non-blocking open otherwise).
  struct stat named {};
  const bool fifo = ::stat(path.c_str(), &named) == 0 && S_ISFIFO(named.st_mode);
  const int opened = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | (fifo ? O_NONBLOCK : 0));
  if (opened < 0) throw file_read_error(std::string("cannot be read: ") + std::strerror(errno));
  const fd_guard fd(opened);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw file_read_error(std::string("cannot be read: ") + std::strerror(errno));
  if (fifo && !S_ISFIFO(st.st_mode)) {  // replaced between stat and open: read it blocking, as any file
    const int flags = ::fcntl(fd.get(), F_GETFL);
    if (flags >= 0) ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);
  }
  if (S_ISDIR(st.st_mode)) throw file_read_error("is a directory");
  if (S_ISREG(st.st_mode) && static_cast<std::uintmax_t>(st.st_size) > max_bytes)
    throw file_read_error(over(max_bytes));

  std::string text;
  if (S_ISREG(st.st_mode)) text.reserve(static_cast<std::size_t>(st.st_size));
  std::vector<char> buf(chunk_bytes);
  for (;;) {
    if (stopped && stopped()) throw file_read_interrupted();
    pollfd ready{fd.get(), POLLIN, 0};
    const int polled = ::poll(&ready, 1, poll_ms);
    if (polled == 0 || (polled < 0 && errno == EINTR)) continue;  // a FIFO with no writer yet reports nothing
    const ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) throw file_read_error(std::string("cannot be read: ") + std::strerror(errno));
    if (n == 0) return text;
    if (static_cast<std::size_t>(n) > max_bytes - text.size()) throw file_read_error(over(max_bytes));
    text.append(buf.data(), static_cast<std::size_t>(n));
  }
}

}  // namespace serentak
