#include "queue/redis_reply.hpp"

#include <charconv>
#include <climits>
#include <cstdint>
#include <new>

#include <fmt/format.h>
#include <hiredis.h>

namespace serentak::queue {
namespace {

// hiredis keeps each object's handle as a void*, and null means "out of memory": a node's handle
// is its index plus one.
void* handle_of(std::size_t index) { return reinterpret_cast<void*>(static_cast<std::uintptr_t>(index) + 1); }
std::size_t index_of(const void* handle) {
  return static_cast<std::size_t>(reinterpret_cast<std::uintptr_t>(handle)) - 1;
}

// The slot of the node a read task creates: the root starts a new tree; an element fills the slot
// its array reserved. Null (with the builder's problem set) when the task is not what its parent
// reserved, which hiredis's own checks rule out, but the tree must not trust them. Throws bad_alloc,
// which the callbacks turn into hiredis's null.
reply_tree::node* slot_for(const redisReadTask* task, std::size_t& index) {
  auto& builder = *static_cast<reply_builder*>(task->privdata);
  if (task->parent == nullptr) {
    builder.tree_ = std::make_unique<reply_tree>();
    builder.tree_->nodes.emplace_back();
    index = 0;
    return &builder.tree_->nodes[0];
  }
  const std::size_t parent_at = index_of(task->parent->obj);
  if (builder.tree_ == nullptr || parent_at >= builder.tree_->nodes.size()) {
    builder.problem_ = "a reply element without its array";
    return nullptr;
  }
  const reply_tree::node& parent = builder.tree_->nodes[parent_at];
  if (parent.type != reply_tree::kind::array || task->idx < 0 || static_cast<std::size_t>(task->idx) >= parent.size) {
    builder.problem_ = "a reply element past its array's end";
    return nullptr;
  }
  index = static_cast<std::size_t>(parent.value) + static_cast<std::size_t>(task->idx);
  return &builder.tree_->nodes[index];
}

// What every callback shares: the node's slot, filled by `fill` (by index: filling may grow the
// vector), then hiredis's handle for it. Null when the slot is refused, `fill` refuses (a bound: it
// sets the builder's problem), or memory runs out.
template <class Fill>
void* create(const redisReadTask* task, Fill fill) {
  try {
    std::size_t index = 0;
    if (slot_for(task, index) == nullptr) return nullptr;
    auto& builder = *static_cast<reply_builder*>(task->privdata);
    return fill(builder, index) ? handle_of(index) : nullptr;
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}

void* create_string(const redisReadTask* task, char* text, size_t size) {
  return create(task, [&](reply_builder& builder, std::size_t index) {
    if (size > UINT32_MAX) {
      builder.problem_ = fmt::format("a reply string of {} bytes is over the bound (4 GiB)", size);
      return false;
    }
    reply_tree::node& n = builder.tree_->nodes[index];
    n.type = task->type == REDIS_REPLY_ERROR    ? reply_tree::kind::error
             : task->type == REDIS_REPLY_STATUS ? reply_tree::kind::status
                                                : reply_tree::kind::string;
    std::string& texts = builder.tree_->texts;
    n.value = texts.size();
    n.size = static_cast<std::uint32_t>(size);
    texts.append(text, size);
    return true;
  });
}

void* create_array(const redisReadTask* task, int elements) {
  return create(task, [&](reply_builder& builder, std::size_t index) {
    std::vector<reply_tree::node>& nodes = builder.tree_->nodes;
    const std::size_t wanted = elements < 0 ? SIZE_MAX : static_cast<std::size_t>(elements);
    if (wanted > reply_builder::max_array_elements || nodes.size() + wanted > reply_builder::max_nodes) {
      builder.problem_ = fmt::format("a reply array of {} elements is over the bound ({} per array, {} per reply)",
                                     elements, reply_builder::max_array_elements, reply_builder::max_nodes);
      return false;
    }
    const std::size_t first = nodes.size();
    nodes.resize(first + wanted);  // may move the nodes: index, not pointer
    nodes[index].type = reply_tree::kind::array;
    nodes[index].size = static_cast<std::uint32_t>(wanted);
    nodes[index].value = first;
    return true;
  });
}

void* create_integer(const redisReadTask* task, long long value) {
  return create(task, [&](reply_builder& builder, std::size_t index) {
    builder.tree_->nodes[index].type = reply_tree::kind::integer;
    builder.tree_->nodes[index].value = static_cast<std::uint64_t>(value);
    return true;
  });
}

void* create_nil(const redisReadTask* task) {
  return create(task, [](reply_builder& builder, std::size_t index) {
    builder.tree_->nodes[index].type = reply_tree::kind::nil;
    return true;
  });
}

// The tree belongs to the builder (a partial one is dropped when the next reply starts or the
// connection closes), so there is nothing to free per object.
void free_object(void* /*handle*/) {}

redisReplyObjectFunctions tree_functions{create_string, create_array, create_integer, create_nil, free_object};

}  // namespace

redisReader* reply_builder::make_reader() {
  tree_.reset();
  problem_.clear();
  redisReader* reader = redisReaderCreateWithFunctions(&tree_functions);
  if (reader != nullptr) reader->privdata = this;
  return reader;
}

const reply_tree::node* reply_view::node() const noexcept {
  return tree_ != nullptr && at_ < tree_->nodes.size() ? &tree_->nodes[at_] : nullptr;
}

bool reply_view::is_nil() const noexcept {
  const auto* n = node();
  return n == nullptr || n->type == reply_tree::kind::nil;
}
bool reply_view::is_array() const noexcept {
  const auto* n = node();
  return n != nullptr && n->type == reply_tree::kind::array;
}
bool reply_view::is_integer() const noexcept {
  const auto* n = node();
  return n != nullptr && n->type == reply_tree::kind::integer;
}
bool reply_view::is_error() const noexcept {
  const auto* n = node();
  return n != nullptr && n->type == reply_tree::kind::error;
}
bool reply_view::is_string() const noexcept {
  const auto* n = node();
  return n != nullptr && (n->type == reply_tree::kind::string || n->type == reply_tree::kind::status);
}

std::string_view reply_view::text() const noexcept {
  const auto* n = node();
  if (n == nullptr || (n->type != reply_tree::kind::string && n->type != reply_tree::kind::status &&
                       n->type != reply_tree::kind::error))
    return {};
  return std::string_view(tree_->texts).substr(n->value, n->size);
}

long long reply_view::integer() const noexcept {
  const auto* n = node();
  if (n == nullptr) return 0;
  if (n->type == reply_tree::kind::integer) return static_cast<long long>(n->value);
  std::string_view t = text();
  long long value = 0;
  std::from_chars(t.data(), t.data() + t.size(), value);
  return value;
}

std::optional<std::size_t> reply_view::whole_number() const noexcept {
  std::string_view t = text();
  std::size_t value = 0;
  auto [end, error] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (t.empty() || error != std::errc() || end != t.data() + t.size()) return std::nullopt;
  return value;
}

std::size_t reply_view::size() const noexcept { return is_array() ? node()->size : 0; }

reply_view reply_view::operator[](std::size_t i) const noexcept {
  if (i >= size()) return {nullptr, 0};
  return {tree_, static_cast<std::size_t>(node()->value) + i};
}

}  // namespace serentak::queue
