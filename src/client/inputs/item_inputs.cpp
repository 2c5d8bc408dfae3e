#include "client/inputs/item_inputs.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log_text.hpp"
#include "core/target_url.hpp"
#include "core/url_redaction.hpp"
#include "log/line_writer.hpp"

namespace serentak::client {
namespace {

constexpr std::size_t chunk_bytes = 64 * 1024;

std::string display_name(const input_part& part) {
  return part.path == "-" ? std::string("standard input") : "'" + escape_for_log(part.path) + "'";
}

}  // namespace

std::string input_name(const input_part& part) { return part.path == "-" ? "standard input" : "input " + display_name(part); }

namespace {

[[noreturn]] void fail(const input_part& part, const std::string& what) {
  throw std::invalid_argument("input " + display_name(part) + ": " + what);
}

// Copies a stream (standard input, a FIFO) to an unlinked file, so it can be validated first and
// read again. Polls rather than blocks, so a signal while a pipe is still open (or a FIFO has no
// writer yet) is noticed within 100 ms.
int spill_stream(const input_part& part, int in, const std::atomic<bool>* stop) {
  std::string dir = std::filesystem::temp_directory_path().string();
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) fail(part, std::string("cannot create a temporary file: ") + std::strerror(errno));
  std::vector<char> buf(chunk_bytes);
  for (;;) {
    pollfd ready{in, POLLIN, 0};
    int polled = ::poll(&ready, 1, 100);
    if (stop != nullptr && stop->load()) {
      ::close(fd);
      throw input_interrupted();
    }
    if (polled == 0 || (polled < 0 && errno == EINTR)) continue;
    ssize_t n = ::read(in, buf.data(), buf.size());
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) {
      ::close(fd);
      fail(part, std::strerror(errno));
    }
    if (n == 0) break;
    if (int err = log::write_fully(fd, std::string_view(buf.data(), static_cast<std::size_t>(n))); err != 0) {
      ::close(fd);
      fail(part, std::string("cannot spill to a temporary file: ") + std::strerror(err));
    }
  }
  return fd;
}

int open_input(const input_part& part, const std::atomic<bool>* stop) {
  if (part.path == "-") return spill_stream(part, 0, stop);
  struct stat named {};
  if (::stat(part.path.c_str(), &named) == 0 && S_ISFIFO(named.st_mode)) {
    // A blocking open() of a FIFO waits for a writer, deaf to signals: open it without waiting
    // (a non-blocking read end opens at once) and wait in spill_stream's poll instead. Until a
    // writer comes, poll() reports nothing, so a FIFO nobody has opened yet is not taken as empty.
    int fifo = ::open(part.path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fifo < 0) fail(part, std::strerror(errno));
    try {
      int spilled = spill_stream(part, fifo, stop);
      ::close(fifo);
      return spilled;
    } catch (...) {
      ::close(fifo);
      throw;
    }
  }
  int fd = ::open(part.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail(part, std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    fail(part, "is a directory");
  }
  return fd;
}

}  // namespace

std::vector<input_part> plan_inputs(const std::vector<std::string>& positional, const std::vector<std::string>& files) {
  std::vector<input_part> parts;
  bool stdin_used = false;
  auto add_file = [&](const std::string& path) {
    if (path == "-") {
      if (stdin_used) throw std::invalid_argument("standard input ('-') can be read only once");
      stdin_used = true;
    }
    input_part part;
    part.what = input_part::kind::file;
    part.path = path;
    parts.push_back(std::move(part));
  };
  for (const std::string& item : positional) {
    if (item == "-") {
      add_file(item);
    } else {
      if (parts.empty() || parts.back().what != input_part::kind::inline_items) parts.emplace_back();
      parts.back().items.push_back(item);
    }
  }
  for (const std::string& path : files) add_file(path);
  return parts;
}

std::size_t scan_inputs(std::vector<input_part>& parts, std::size_t max_line_bytes,
                        const std::function<void(std::string_view item)>& check, const std::atomic<bool>* stop) {
  std::size_t count = 0;
  for (input_part& part : parts) {
    if (part.what == input_part::kind::inline_items) {
      for (const std::string& item : part.items) {
        try {
          if (item.find('\0') != std::string::npos) throw std::invalid_argument("contains a NUL byte");
          check(item);
        } catch (const secret_item_error& e) {
          throw std::invalid_argument("item " + std::to_string(count + 1) + " of the arguments: " + e.what());
        } catch (const std::invalid_argument& e) {
          // Redacted as the reason is: a URL's password must not come back in front of it.
          throw std::invalid_argument(
              "item " + masked_up_to_a_late_at(item).value_or("'" + escape_for_log(redact_item(item)) + "'") + ": " +
              e.what());
        }
        ++count;
      }
      continue;
    }
    part.fd = open_input(part, stop);
    if (::lseek(part.fd, 0, SEEK_SET) < 0 && errno != ESPIPE) fail(part, std::strerror(errno));
    item_line_parser parser(max_line_bytes);
    auto on_item = [&](std::string_view item, std::size_t line) {
      try {
        check(item);
      } catch (const std::invalid_argument& e) {
        throw input_error(line, e.what());
      }
      ++count;
      ++part.checked_items;
    };
    std::vector<char> buf(chunk_bytes);
    try {
      for (;;) {
        ssize_t n = ::read(part.fd, buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail(part, std::strerror(errno));
        if (n == 0) break;
        part.checked_bytes += static_cast<std::uint64_t>(n);
        parser.feed(std::string_view(buf.data(), static_cast<std::size_t>(n)), on_item);
      }
      parser.finish(on_item);
    } catch (const input_error& e) {
      fail(part, e.what());
    }
  }
  return count;
}

item_stream::item_stream(std::vector<input_part>& parts, std::size_t max_line_bytes)
    : parts_(parts), max_line_bytes_(max_line_bytes), buffer_(chunk_bytes) {}

item_stream::~item_stream() = default;

std::optional<std::string> item_stream::next() {
  for (;;) {
    if (ready_next_ < ready_.size()) {
      place_ = ready_at_[ready_next_];
      return std::move(ready_[ready_next_++]);
    }
    if (part_ < parts_.size() && parts_[part_].what == input_part::kind::inline_items) {
      input_part& part = parts_[part_];
      if (inline_next_ < part.items.size()) {
        place_ = item_place{part_, inline_next_};
        return part.items[inline_next_++];
      }
      ++part_;
      inline_next_ = 0;
      continue;
    }
    if (!refill()) return std::nullopt;
  }
}

bool item_stream::refill() {
  ready_.clear();
  ready_at_.clear();
  ready_next_ = 0;
  while (part_ < parts_.size()) {
    input_part& part = parts_[part_];
    if (part.what == input_part::kind::inline_items) return true;  // next() hands these out
    if (!file_open_) {
      if (part.fd < 0 || ::lseek(part.fd, 0, SEEK_SET) < 0) {
        throw std::runtime_error(input_name(part) + " was not scanned before reading");
      }
      parser_ = std::make_unique<item_line_parser>(max_line_bytes_);
      file_open_ = true;
      read_bytes_ = 0;
      handed_items_ = 0;
    }
    // Only what was checked: an item beyond the checked count (the file was edited in place) is
    // dropped, and the part marked changed.
    auto collect = [this, &part](std::string_view item, std::size_t) {
      if (handed_items_ < part.checked_items) {
        ready_.emplace_back(item);
        ready_at_.push_back(item_place{part_, parser_->line_offset()});
        ++handed_items_;
      } else {
        part.changed = true;
      }
    };
    std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer_.size(), part.checked_bytes - read_bytes_));
    ssize_t n = want == 0 ? 0 : ::read(part.fd, buffer_.data(), want);
    if (n < 0 && errno == EINTR) continue;
    try {
      if (n < 0) throw input_error(parser_->lines_seen() + 1, std::strerror(errno));
      if (n > 0) {
        read_bytes_ += static_cast<std::uint64_t>(n);
        parser_->feed(std::string_view(buffer_.data(), static_cast<std::size_t>(n)), collect);
      } else {
        parser_->finish(collect);
        char more = 0;
        if (read_bytes_ < part.checked_bytes || ::pread(part.fd, &more, 1, static_cast<off_t>(read_bytes_)) > 0) {
          part.changed = true;  // shorter or longer than when it was checked
        }
        part.read_items = handed_items_;
        file_open_ = false;
        ++part_;
      }
    } catch (const input_error& e) {
      // It passed the check, so it was changed since: say which file and line.
      throw std::runtime_error(input_name(part) + " changed after it was checked: " + e.what());
    }
    if (!ready_.empty()) return true;
  }
  return false;
}

void close_inputs(std::vector<input_part>& parts) noexcept {
  for (input_part& part : parts) {
    if (part.fd >= 0) ::close(part.fd);
    part.fd = -1;
  }
}

}  // namespace serentak::client
