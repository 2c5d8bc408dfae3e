#pragma once
// A reply tree read without copying: views into it stay valid as long as its redis_reply lives.
// hiredis parses the protocol and calls this file's object functions, which keep every node of a
// reply in one vector and every string in one buffer: hiredis's own objects took an allocation per
// node and per string, 14 of a job worker's ~29 allocations per item (a stream entry is 7 nodes).
// A Redis error reply and a failed connection are values (redis_result), never exceptions.
// Not thread-safe; a reply belongs to the thread that read it, a reply_builder to its connection.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct redisReader;

namespace serentak::queue {

struct reply_tree {
  enum class kind : unsigned char { nil, array, integer, string, status, error };
  struct node {  // 16 bytes: a reply's size is what an array header can make us reserve
    kind type = kind::nil;
    std::uint32_t size = 0;   // array: its elements; string, status, error: the text's length
    std::uint64_t value = 0;  // array: its first element's index; text: its offset in texts; integer: the value
  };
  std::vector<node> nodes;  // nodes[0] is the root; an array's elements are nodes[value, value + size)
  std::string texts;
};

// One element of a reply tree; a view, owned by the redis_reply it came from.
class reply_view {
 public:
  reply_view(const reply_tree* tree, std::size_t at) noexcept : tree_(tree), at_(at) {}

  bool is_nil() const noexcept;
  bool is_array() const noexcept;
  bool is_integer() const noexcept;
  bool is_string() const noexcept;  // bulk string or status
  bool is_error() const noexcept;
  std::string_view text() const noexcept;               // string, status or error text; empty otherwise
  long long integer() const noexcept;                   // integer reply; a numeric string is parsed; else 0
  std::size_t size() const noexcept;                    // array elements; 0 otherwise
  reply_view operator[](std::size_t i) const noexcept;  // i < size(); a nil view otherwise
  // A string that is wholly a non-negative decimal number (an index, a size), strictly: nullopt for
  // anything else, an empty string or one that overflows included, where integer() would say 0.
  std::optional<std::size_t> whole_number() const noexcept;

 private:
  const reply_tree::node* node() const noexcept;
  const reply_tree* tree_;  // null: nil
  std::size_t at_;
};

class redis_reply {
 public:
  redis_reply() = default;
  explicit redis_reply(std::unique_ptr<reply_tree> tree) noexcept : tree_(std::move(tree)) {}
  reply_view view() const noexcept { return {tree_.get(), 0}; }
  explicit operator bool() const noexcept { return tree_ != nullptr; }

 private:
  std::unique_ptr<reply_tree> tree_;
};

// Builds the replies of one hiredis reader: make_reader() creates a reader whose object functions
// fill this builder's tree; take() hands over the tree once redisReaderGetReply has returned one.
// A reply's arrays are bounded: an array header reserves its elements before they arrive (16 bytes
// each), so without a bound a hostile server's ten bytes ("*133333332\r\n") would cost gigabytes.
// With the bounds, one reply reserves at most 128 MiB. The largest replies serentak asks for:
// XPENDING's 100,000 entries (500,000 nodes) and `job status`'s HGETALL of the per-host buckets
// (two per host: 2,097,152 hosts at most).
class reply_builder {
 public:
  static constexpr std::size_t max_array_elements = std::size_t{1} << 22;
  static constexpr std::size_t max_nodes = std::size_t{1} << 23;  // per reply

  reply_builder() = default;
  reply_builder(const reply_builder&) = delete;  // its reader points at it
  reply_builder& operator=(const reply_builder&) = delete;

  redisReader* make_reader();  // null when out of memory; the caller frees it with redisReaderFree
  redis_reply take() { return redis_reply(std::move(tree_)); }
  // Why the reader failed when a bound refused a reply (hiredis itself says "Out of memory").
  const std::string& problem() const noexcept { return problem_; }

  // For the C callbacks only.
  std::unique_ptr<reply_tree> tree_;  // the reply being read
  std::string problem_;
};

// What went wrong talking to Redis. io: the connection is gone (reconnect); server: Redis
// answered with an error (the connection is still fine).
struct redis_error {
  enum class kind { io, server } what = kind::io;
  std::string message;  // never holds a password

  // "LOADING Redis is loading the dataset in memory": a Redis that has just restarted answers so
  // until its AOF is read. Part of an outage, not a warning: the caller waits and tries again.
  bool is_loading() const noexcept { return what == kind::server && message.rfind("LOADING", 0) == 0; }
  // A refusal that will not pass by itself: the user lacks the command or the key (an ACL), a key
  // holds another type, the command does not exist. Other errors (BUSY while another client's script
  // runs, MASTERDOWN, TRYAGAIN, LOADING) pass; the caller waits them out.
  bool is_refusal() const noexcept {
    if (what != kind::server) return false;
    // A command a script runs that the ACL denies comes back as "ERR The user executing the script
    // can't run this command or subcommand" or "... can't access at least one of the keys" (Redis
    // 7.0-7.1), "ERR ACL failure in script: ..." (7.2 and later), not NOPERM.
    for (std::string_view mark : {"NOPERM", "NOAUTH", "WRONGPASS", "WRONGTYPE", "ERR unknown command",
                                  "ERR The user executing the script can't", "ERR ACL failure in script"}) {
      if (message.rfind(mark, 0) == 0) return true;
    }
    return false;
  }
};

struct redis_result {
  redis_reply reply;
  std::optional<redis_error> error;
  bool ok() const noexcept { return !error.has_value(); }
  reply_view view() const noexcept { return reply.view(); }
};

}  // namespace serentak::queue
