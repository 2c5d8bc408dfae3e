#pragma once
// Where items come from, in a documented order: the command line's items in the order given,
// where a lone "-" stands for standard input's lines at that point, then each --input FILE in
// the order given. Files and stdin are streamed, never held whole: scan_inputs() reads them once
// to validate every line and count the items before any request is sent (stdin is spilled to an
// unlinked temporary file so it can be read twice), and item_stream reads them again, one chunk
// at a time, handing out one item per call.
//
// Thread safety: item_stream is used by one owner (stream_source locks around it).

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/item_lines.hpp"

namespace serentak::client {

struct input_part {
  enum class kind { inline_items, file } what = kind::inline_items;
  std::vector<std::string> items;  // inline_items: the command line's items (between "-"s)
  std::string path;                // file: a path, or "-" for standard input
  int fd = -1;                     // file: opened by scan_inputs (stdin: the spilled copy)
  std::uint64_t checked_bytes = 0;  // file: bytes scan_inputs read and checked; item_stream reads no more
  std::size_t checked_items = 0;    // file: items found in them; item_stream hands out no more
  bool changed = false;             // file: set by item_stream when it grew or changed after the check
  std::size_t read_items = 0;       // file: items item_stream handed out; < checked_items: it shrank
};

// Where an item is: its part, and in it the byte offset of its line (a file) or its position (the
// command line's items). Every file part is a regular file by then (stdin and FIFOs are spilled),
// so an item can always be read back from its place.
struct item_place {
  std::size_t part = 0;
  std::uint64_t at = 0;
  bool operator==(const item_place&) const = default;
};

// "input 'f'" or "standard input", escaped, for messages.
std::string input_name(const input_part& part);

// The ordered parts for positional items and --input files ("-" anywhere means stdin, once).
std::vector<input_part> plan_inputs(const std::vector<std::string>& positional, const std::vector<std::string>& files);

// Opens and validates every part: each line parsed (blank, comments, CRLF, BOM, limits) and each
// item passed to check (which throws std::invalid_argument to reject it). Returns the item count.
// Throws std::invalid_argument naming the file and line for any problem; nothing was sent yet.
// Waiting on standard input notices *stop within 100 ms and throws input_interrupted.
std::size_t scan_inputs(std::vector<input_part>& parts, std::size_t max_line_bytes,
                        const std::function<void(std::string_view item)>& check, const std::atomic<bool>* stop = nullptr);

// Thrown by a check when the item itself must not be shown (it goes into a secret header): the
// message then names the item's place (file and line, or its position among the arguments) only.
class secret_item_error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// The user interrupted the run while its inputs (or, for --resume, its results file) were being read.
class input_interrupted : public std::runtime_error {
 public:
  input_interrupted() : std::runtime_error("interrupted while reading the input") {}
  explicit input_interrupted(const std::string& what) : std::runtime_error(what) {}
};

// Reads the parts again, from the start, one item at a time: each file only up to the bytes and
// items scan_inputs checked (what was appended or changed since is ignored, and the part marked
// changed). Throws std::runtime_error naming the file and line if a file can no longer be read.
class item_stream {
 public:
  item_stream(std::vector<input_part>& parts, std::size_t max_line_bytes);
  ~item_stream();
  item_stream(const item_stream&) = delete;
  item_stream& operator=(const item_stream&) = delete;

  std::optional<std::string> next();
  // The place of the item next() returned last.
  item_place place() const noexcept { return place_; }

 private:
  bool refill();  // reads the next chunk (or moves to the next part); false at the very end

  std::vector<input_part>& parts_;
  std::size_t max_line_bytes_;
  std::size_t part_ = 0;         // index of the part being read
  std::size_t inline_next_ = 0;  // next item of an inline part
  bool file_open_ = false;       // the current file part has been rewound and is being read
  std::unique_ptr<item_line_parser> parser_;
  std::vector<std::string> ready_;  // items parsed from the last chunk, handed out front to back
  std::vector<item_place> ready_at_;  // their places
  item_place place_;
  std::size_t ready_next_ = 0;
  std::vector<char> buffer_;
  std::uint64_t read_bytes_ = 0;   // of the current file part
  std::size_t handed_items_ = 0;   // of the current file part
};

// Closes the descriptors scan_inputs opened.
void close_inputs(std::vector<input_part>& parts) noexcept;

}  // namespace serentak::client
