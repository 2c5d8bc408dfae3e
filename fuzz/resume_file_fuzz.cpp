// Fuzzes the --resume scan of a results file (client/outputs/resume_index), on an in-memory file.
// Properties for arbitrary bytes: the scan either refuses the file (its first line is not a
// serentak preamble) or accepts it; then it changes no byte until cut_torn_line, which cuts
// exactly the bytes after the last newline; every line after the preamble is a record
// (parse_record) or counted damaged; and find() answers every valid record's item and URL. For a
// file written by results_preamble and format_record from arbitrary items, every item is found
// with its outcome and nothing is damaged.
// Input: [mode byte] then the file's bytes (or the items, split at NUL).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <sys/mman.h>
#include <unistd.h>

#include "client/outputs/resume_index.hpp"
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

void scan_arbitrary(std::string_view bytes, serentak::result_format format) {
  memory_file file;
  FUZZ_CHECK(file.fd >= 0);
  file.write_all(bytes);
  std::vector<std::string_view> lines;
  std::size_t last_newline = bytes.rfind('\n');
  std::size_t complete = last_newline == std::string_view::npos ? 0 : last_newline + 1;
  for (std::size_t from = 0; from < complete;) {
    std::size_t end = bytes.find('\n', from);
    lines.push_back(bytes.substr(from, end - from));
    from = end + 1;
  }
  std::size_t preamble = serentak::preamble_lines(format);
  try {
    auto index = serentak::client::resume_index::scan(file.fd, file.path(), format);
    FUZZ_CHECK(file.contents() == bytes);  // the scan changes nothing
    if (bytes.empty()) return;
    FUZZ_CHECK(!lines.empty() && serentak::parse_spec_line(lines[0], format).has_value());
    FUZZ_CHECK(index.torn_bytes() == bytes.size() - complete);
    std::size_t valid = 0;
    for (std::size_t i = preamble; i < lines.size(); ++i) {
      auto record = serentak::parse_record(lines[i], format);
      if (!record) continue;
      ++valid;
      FUZZ_CHECK(index.find(record->item, record->url).has_value());
    }
    FUZZ_CHECK(index.damaged() + valid + std::min(preamble, lines.size()) == lines.size());
    FUZZ_CHECK(index.records() + index.superseded() == valid);
    index.cut_torn_line();
    FUZZ_CHECK(file.contents() == bytes.substr(0, complete));  // only the torn line is cut
  } catch (const serentak::client::not_results_file&) {
    FUZZ_CHECK(file.contents() == bytes);  // a refused file is left as it is
    bool accepted_first = !lines.empty() && serentak::parse_spec_line(lines[0], format).has_value();
    bool csv_header_ok = format != serentak::result_format::csv ||
                         (lines.size() > 1 && std::string(lines[1]) + "\n" == serentak::csv_header());
    FUZZ_CHECK(!accepted_first || !csv_header_ok);
  }
}

void round_trip(std::string_view bytes, serentak::result_format format) {
  serentak::results_spec spec;
  spec.url = "http://h/{}";
  std::string file_text = serentak::results_preamble(spec, format);
  std::vector<std::string> items;
  for (std::size_t from = 0; from <= bytes.size();) {
    std::size_t end = bytes.find('\0', from);
    if (end == std::string_view::npos) end = bytes.size();
    serentak::result_record record;
    record.index = items.size() * 3;
    record.item = bytes.substr(from, end - from);
    record.url = record.item;
    record.body = record.item;
    record.kind = serentak::outcome::ok;
    file_text += serentak::format_record(record, format);
    items.emplace_back(record.item);
    from = end + 1;
  }
  memory_file file;
  FUZZ_CHECK(file.fd >= 0);
  file.write_all(file_text);
  auto index = serentak::client::resume_index::scan(file.fd, file.path(), format);
  FUZZ_CHECK(index.torn_bytes() == 0);
  FUZZ_CHECK(index.damaged() == 0);
  for (const std::string& item : items) {
    std::string key = serentak::stored_field(item, format);
    auto found = index.find(key, key);
    FUZZ_CHECK(found.has_value() && found->kind == serentak::outcome::ok);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  auto format = data[0] % 2 == 0 ? serentak::result_format::jsonl : serentak::result_format::csv;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 4 < 2) {
    scan_arbitrary(rest, format);
  } else {
    round_trip(rest, format);
  }
  return 0;
}
