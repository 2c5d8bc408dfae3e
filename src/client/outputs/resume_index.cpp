#include "client/outputs/resume_index.hpp"

#include <algorithm>
#include <cerrno>
#include <string>
#include <system_error>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/inputs/item_inputs.hpp"
#include "core/file_error.hpp"
#include "core/fnv1a.hpp"
#include "core/log_text.hpp"
#include "core/splitmix64.hpp"
#include "log/line_writer.hpp"
#include "log/output_lock.hpp"

namespace serentak::client {
namespace {

constexpr std::size_t scan_chunk_bytes = 64 * 1024;

// Calls on_line(offset, line) for every complete line of fd, reading it from the start; returns
// the offset just past the last newline (the bytes after it are a torn line). Throws
// input_interrupted when stop is set (looked at before each read).
template <typename OnLine>
std::uint64_t for_each_line(int fd, const std::filesystem::path& path, const std::atomic<bool>* stop,
                            OnLine&& on_line) {
  std::string line;
  std::vector<char> buf(scan_chunk_bytes);
  std::uint64_t offset = 0;      // of buf[0] in the file
  std::uint64_t line_start = 0;  // of line[0]
  for (;;) {
    if (stop != nullptr && stop->load(std::memory_order_relaxed)) {
      throw input_interrupted("interrupted while reading the results file '" + escape_for_log(path.string()) +
                              "'; it was left as it is");
    }
    ssize_t n = ::pread(fd, buf.data(), buf.size(), static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_file_error(errno, "cannot read results file", path);
    if (n == 0) return line_start;
    std::string_view chunk(buf.data(), static_cast<std::size_t>(n));
    std::uint64_t chunk_offset = offset;
    offset += static_cast<std::uint64_t>(n);
    while (!chunk.empty()) {
      auto newline = chunk.find('\n');
      if (newline == std::string_view::npos) {
        line.append(chunk);
        break;
      }
      std::string_view piece = chunk.substr(0, newline);
      if (line.empty()) {
        on_line(line_start, piece);  // the common case: the whole line is in this chunk, no copy
      } else {
        line.append(piece);
        on_line(line_start, std::string_view(line));
        line.clear();
      }
      chunk_offset += newline + 1;
      line_start = chunk_offset;
      chunk.remove_prefix(newline + 1);
    }
  }
}

std::string read_line_at(int fd, std::uint64_t offset, const std::filesystem::path& path) {
  std::string line;
  char buf[4096];
  for (;;) {
    ssize_t n = ::pread(fd, buf, sizeof buf, static_cast<off_t>(offset + line.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_file_error(errno, "cannot read results file", path);
    std::string_view chunk(buf, static_cast<std::size_t>(n));
    auto newline = chunk.find('\n');
    line.append(chunk.substr(0, newline));
    if (newline != std::string_view::npos || n == 0) return line;
  }
}

void sync_folder(const std::filesystem::path& file) {
  std::filesystem::path folder = file.parent_path();
  if (folder.empty()) folder = ".";
  int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // the rename is done; only its durability across a power cut is weaker
  (void)::fsync(fd);
  ::close(fd);
}

}  // namespace

std::uint64_t resume_index::key_hash(std::string_view item, std::string_view url) noexcept {
  // FNV-1a over item, a NUL (neither holds one) and url, then mixed.
  return splitmix64(fnv1a_64().add(item).add(std::string_view("", 1)).add(url).value());
}

bool is_transient_record(const stored_record& record) noexcept {
  if (record.kind == outcome::timeout || record.kind == outcome::connection_error) return true;
  return record.http_status == 408 || record.http_status == 429 || (record.http_status >= 500 && record.http_status <= 599);
}

resume_index resume_index::scan(int fd, const std::filesystem::path& path, result_format format,
                                const std::atomic<bool>* stop) {
  resume_index index(fd, path, format);
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw_file_error(errno, "cannot read results file", path);
  if (!S_ISREG(st.st_mode)) {
    throw not_results_file("--resume needs a regular results file; '" + escape_for_log(path.string()) +
                           "' is a FIFO, device or socket");
  }
  if (st.st_size == 0) return index;
  const std::string refused = "--resume: '" + escape_for_log(path.string()) +
                              "' is not a serentak results file of this format (";
  std::size_t line_number = 0;
  std::uint64_t complete = for_each_line(fd, path, stop, [&](std::uint64_t offset, std::string_view line) {
    ++line_number;
    if (line_number == 1) {
      index.spec_ = parse_spec_line(line, format);
      if (!index.spec_)
        throw not_results_file(refused + "its first line is not a serentak_results line); it was left as it is");
      return;
    }
    if (line_number == 2 && format == result_format::csv) {
      std::string header = csv_header();
      header.pop_back();
      if (line != header)
        throw not_results_file(refused + "line 2 is not the CSV column header); it was left as it is");
      return;
    }
    auto record = parse_record(line, format);
    if (!record) {
      ++index.damaged_;
      return;
    }
    if (record->round > 0) {
      // Several rounds of one item are history, not superseded attempts: compacting would keep
      // only each item's last round.
      throw not_results_file(refused + "it was written by --every, one record per item and round; --resume would "
                                       "keep only each item's last round); it was left as it is");
    }
    index.entries_.push_back(entry{key_hash(record->item, record->url), offset});
  });
  if (!index.spec_) throw not_results_file(refused + "it has no complete first line); it was left as it is");
  index.complete_bytes_ = complete;
  index.torn_bytes_ = static_cast<std::size_t>(static_cast<std::uint64_t>(st.st_size) - complete);
  index.keep_latest();
  return index;
}

void resume_index::cut_torn_line() {
  if (torn_bytes_ == 0) return;
  if (::ftruncate(fd_, static_cast<off_t>(complete_bytes_)) != 0)
    throw_file_error(errno, "cannot cut the torn last line of", path_);
}

std::optional<stored_record> resume_index::read_record(std::uint64_t offset) const {
  return parse_record(read_line_at(fd_, offset, path_), format_);
}

void resume_index::keep_latest() {
  std::sort(entries_.begin(), entries_.end(),
            [](const entry& a, const entry& b) { return a.hash != b.hash ? a.hash < b.hash : a.offset < b.offset; });
  // Compacted in place: the write cursor never passes the group being read.
  std::size_t write = 0;
  for (std::size_t i = 0; i < entries_.size();) {
    std::size_t end = i + 1;
    while (end < entries_.size() && entries_[end].hash == entries_[i].hash) ++end;
    if (end - i == 1) {
      entries_[write++] = entries_[i];
      i = end;
      continue;
    }
    // Same hash: the same item and URL recorded again (a resumed item), or, rarely, a collision.
    // Read them back: of each exact key only the last record (highest offset) stays.
    std::vector<std::pair<std::string, std::uint64_t>> keys;  // "item NUL url", offset; ascending offsets
    for (std::size_t k = i; k < end; ++k) {
      if (auto record = read_record(entries_[k].offset)) keys.emplace_back(record->item + '\0' + record->url, entries_[k].offset);
    }
    std::uint64_t hash = entries_[i].hash;
    for (std::size_t k = 0; k < keys.size(); ++k) {
      bool later = false;
      for (std::size_t m = k + 1; m < keys.size() && !later; ++m) later = keys[m].first == keys[k].first;
      if (later) {
        ++superseded_;
      } else {
        entries_[write++] = entry{hash, keys[k].second};
      }
    }
    i = end;
  }
  entries_.resize(write);
}

std::optional<stored_record> resume_index::find(std::string_view item, std::string_view url) const {
  std::uint64_t hash = key_hash(item, url);
  auto first = std::lower_bound(entries_.begin(), entries_.end(), hash, [](const entry& e, std::uint64_t h) { return e.hash < h; });
  for (auto it = first; it != entries_.end() && it->hash == hash; ++it) {
    auto record = read_record(it->offset);
    if (record && record->item == item && record->url == url) return record;
  }
  return std::nullopt;
}

run_summary resume_index::compact(const results_spec& current, int* fd_out, const std::atomic<bool>* stop) {
  *fd_out = fd_;
  std::vector<std::uint64_t> kept;  // offsets of the current records, in file order
  kept.reserve(entries_.size());
  for (const entry& e : entries_) kept.push_back(e.offset);
  std::vector<entry>().swap(entries_);
  std::sort(kept.begin(), kept.end());
  bool rewrite = superseded_ > 0 || damaged_ > 0 || !spec_ || !spec_difference(*spec_, current).empty();

  std::filesystem::path temp_path = path_;
  temp_path += ".serentak-compact";  // one name: a crashed compaction's leftover is simply overwritten
  int temp = -1;
  if (rewrite) {
    struct stat st {};
    temp = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (temp < 0) throw_file_error(errno, "cannot create", temp_path);
    if (::fstat(fd_, &st) == 0) (void)::fchmod(temp, st.st_mode & 0777);
  }
  auto give_up = [&](int err, const std::string& what) {
    ::close(temp);
    temp = -1;  // the catch below must not close a number that may be reused by then
    ::unlink(temp_path.c_str());
    throw_file_error(err, what, temp_path);
  };
  std::string out = rewrite ? results_preamble(current, format_) : std::string();
  auto flush = [&] {
    if (int err = log::write_fully(temp, out); err != 0) give_up(err, "cannot write");
    out.clear();
  };
  run_summary summary;
  std::size_t next = 0;
  std::size_t preamble = preamble_lines(format_);
  std::size_t line_number = 0;
  try {
    for_each_line(fd_, path_, stop, [&](std::uint64_t offset, std::string_view line) {
      if (++line_number <= preamble || next >= kept.size() || offset != kept[next]) return;
      ++next;
      if (auto record = parse_record(line, format_)) summary.add(record->kind, record->attempts, record->latency);
      if (!rewrite) return;
      out.append(line);
      out += '\n';
      if (out.size() >= 1024 * 1024) flush();
    });
  } catch (const std::exception&) {  // a read failed, or stop: the old file stays as it is
    if (temp >= 0) {
      ::close(temp);
      ::unlink(temp_path.c_str());
    }
    throw;
  }
  if (!rewrite) return summary;
  flush();
  if (::fsync(temp) != 0) give_up(errno, "cannot sync");
  // Locked before it takes the name, so a run that opens the new file finds it held until we exit.
  log::lock_output(temp, temp_path, "results file");
  if (::rename(temp_path.c_str(), path_.c_str()) != 0) give_up(errno, "cannot rename");
  sync_folder(path_);
  *fd_out = temp;
  return summary;
}

}  // namespace serentak::client
