#pragma once
// Counter blocks by label (a route or a fault kind), found and read without a lock. The labels
// known when the table is made (the scenario's routes) sit in a sorted array that never changes
// size; each slot's block is allocated on the label's first use and published with one pointer
// swap. A label not known up front (a test's plan_hook, a fault kind) gets a block on an
// append-only lock-free list. Blocks are never moved or freed before the table, so a reader holds
// plain references to them. Owned by server_stats.
// Thread safety: block() and for_each() from any thread, concurrently; what a Block guards
// inside is the Block's own business (server_stats: relaxed atomics).

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace serentak::server {

// *slot, made (value-initialised) by the first caller and published with one pointer swap; two
// threads may race to make it, the loser drops its copy and uses the winner's. The caller frees it.
template <class T>
T& made_once(std::atomic<T*>& slot) {
  T* existing = slot.load(std::memory_order_acquire);
  if (existing != nullptr) return *existing;
  auto made = std::make_unique<T>();
  if (slot.compare_exchange_strong(existing, made.get(), std::memory_order_acq_rel, std::memory_order_acquire)) {
    return *made.release();
  }
  return *existing;
}

template <class Block>
class label_table {
 public:
  explicit label_table(std::vector<std::string> names) {
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    known_count_ = names.size();
    known_ = std::make_unique<slot[]>(known_count_);
    for (std::size_t i = 0; i < known_count_; ++i) known_[i].name = std::move(names[i]);
  }
  ~label_table() {
    for (std::size_t i = 0; i < known_count_; ++i) delete known_[i].block.load(std::memory_order_relaxed);
    for (extra* e = extras_.load(std::memory_order_relaxed); e != nullptr;) delete std::exchange(e, e->next);
  }
  label_table(const label_table&) = delete;
  label_table& operator=(const label_table&) = delete;

  // The label's block, made on first use (may throw std::bad_alloc then).
  Block& block(std::string_view name) {
    slot* s = std::lower_bound(known_.get(), known_.get() + known_count_, name,
                               [](const slot& a, std::string_view b) { return a.name < b; });
    if (s != known_.get() + known_count_ && s->name == name) return made_once(s->block);
    return extra_block(name);
  }

  // Calls f(name, const Block&) for every label that has a block, in byte order of the names.
  // Sees every block published before the call; a block made during it may or may not be seen.
  template <class F>
  void for_each(F f) const {
    std::vector<const extra*> extras;
    for (const extra* e = extras_.load(std::memory_order_acquire); e != nullptr; e = e->next) extras.push_back(e);
    std::sort(extras.begin(), extras.end(), [](const extra* a, const extra* b) { return a->name < b->name; });
    auto next_extra = extras.begin();
    for (std::size_t i = 0; i < known_count_; ++i) {
      const std::string& name = known_[i].name;
      for (; next_extra != extras.end() && (*next_extra)->name < name; ++next_extra) {
        f(std::string_view((*next_extra)->name), *(*next_extra)->block);
      }
      if (const Block* b = known_[i].block.load(std::memory_order_acquire)) f(std::string_view(name), *b);
    }
    for (; next_extra != extras.end(); ++next_extra) f(std::string_view((*next_extra)->name), *(*next_extra)->block);
  }

 private:
  struct slot {
    std::string name;                     // written in the constructor only
    std::atomic<Block*> block{nullptr};  // null until first use; then set once, freed by ~label_table
  };
  struct extra {
    std::string name;
    std::unique_ptr<Block> block;
    extra* next = nullptr;  // immutable once the node is published
  };

  static const extra* find(const extra* from, const extra* to, std::string_view name) {
    for (; from != to; from = from->next) {
      if (from->name == name) return from;
    }
    return nullptr;
  }

  // Nodes are only ever pushed at the head, so after a failed push the nodes to check again are
  // those between the new head and the one already searched.
  Block& extra_block(std::string_view name) {
    extra* head = extras_.load(std::memory_order_acquire);
    if (const extra* found = find(head, nullptr, name)) return *found->block;
    auto made = std::make_unique<extra>();
    made->name = std::string(name);
    made->block = std::make_unique<Block>();
    made->next = head;
    while (!extras_.compare_exchange_weak(made->next, made.get(), std::memory_order_acq_rel,
                                          std::memory_order_acquire)) {
      if (const extra* found = find(made->next, head, name)) return *found->block;
      head = made->next;
    }
    return *made.release()->block;
  }

  std::unique_ptr<slot[]> known_;  // sorted by name; its size is fixed at construction
  std::size_t known_count_ = 0;
  std::atomic<extra*> extras_{nullptr};  // labels not known up front; a push-only list
};

}  // namespace serentak::server
