// Fuzzes the --resume scan of a results file (client/results_file scan_results), on an in-memory
// file. Properties for arbitrary bytes: the scan never throws, cuts exactly the bytes after the
// last newline (the torn line) and nothing else, and counts a record only for a line that
// recorded_index accepts, with an index below the run's item count. For a file written by
// format_record from arbitrary items, the scan finds exactly the indexes written.
// Input: [mode byte][item count byte] then the file's bytes (or the items, split at NUL).
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include <sys/mman.h>
#include <unistd.h>

#include "client/outputs/results_file.hpp"
#include "fuzz_check.hpp"

namespace {

// An anonymous in-memory file, reachable by path through /proc/self/fd.
struct memory_file {
  int fd = ::memfd_create("resume", 0);
  ~memory_file() { ::close(fd); }
  std::string path() const { return "/proc/self/fd/" + std::to_string(fd); }
  std::string contents() const {
    std::string out(static_cast<std::size_t>(::lseek(fd, 0, SEEK_END)), '\0');
    FUZZ_CHECK(::pread(fd, out.data(), out.size(), 0) == static_cast<ssize_t>(out.size()));
    return out;
  }
  void write_all(std::string_view bytes) const {
    FUZZ_CHECK(::pwrite(fd, bytes.data(), bytes.size(), 0) == static_cast<ssize_t>(bytes.size()));
  }
};

void scan_arbitrary(std::string_view bytes, serentak::result_format format, std::size_t items) {
  memory_file file;
  FUZZ_CHECK(file.fd >= 0);
  file.write_all(bytes);
  serentak::client::resume_state state = serentak::client::scan_results(file.path(), format, items);

  std::size_t last_newline = bytes.rfind('\n');
  std::size_t complete = last_newline == std::string_view::npos ? 0 : last_newline + 1;
  FUZZ_CHECK(state.torn_bytes == bytes.size() - complete);
  FUZZ_CHECK(file.contents() == bytes.substr(0, complete));  // only the torn line is cut

  std::set<std::size_t> expected;
  for (std::size_t from = 0; from < complete;) {
    std::size_t end = bytes.find('\n', from);
    if (auto index = serentak::recorded_index(bytes.substr(from, end - from), format); index && *index < items) {
      expected.insert(*index);
    }
    from = end + 1;
  }
  FUZZ_CHECK(state.records == expected.size());
  FUZZ_CHECK(state.done.size() <= items);
  std::size_t marked = 0;
  for (std::size_t i = 0; i < state.done.size(); ++i) {
    if (state.done[i]) {
      FUZZ_CHECK(expected.count(i) == 1);
      ++marked;
    }
  }
  FUZZ_CHECK(marked == expected.size());
}

void round_trip(std::string_view bytes, serentak::result_format format) {
  std::string file_text = format == serentak::result_format::csv ? serentak::csv_header() : "";
  std::set<std::size_t> written;
  std::size_t index = 0;
  for (std::size_t from = 0; from <= bytes.size(); ++index) {
    std::size_t end = bytes.find('\0', from);
    if (end == std::string_view::npos) end = bytes.size();
    serentak::result_record record;
    record.index = index * 3;  // gaps, as --resume leaves them
    record.item = bytes.substr(from, end - from);
    record.url = record.item;
    record.body = record.item;
    record.kind = serentak::outcome::ok;
    file_text += serentak::format_record(record, format);
    written.insert(record.index);
    from = end + 1;
  }
  memory_file file;
  FUZZ_CHECK(file.fd >= 0);
  file.write_all(file_text);
  auto state = serentak::client::scan_results(file.path(), format, index * 3);
  FUZZ_CHECK(state.torn_bytes == 0);
  FUZZ_CHECK(state.records == written.size());
  for (std::size_t i : written) FUZZ_CHECK(i < state.done.size() && state.done[i]);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  auto format = data[0] % 2 == 0 ? serentak::result_format::jsonl : serentak::result_format::csv;
  std::string_view rest(reinterpret_cast<const char*>(data) + 2, size - 2);
  if (data[0] % 4 < 2) {
    scan_arbitrary(rest, format, data[1]);
  } else {
    round_trip(rest, format);
  }
  return 0;
}
