#pragma once
// A fetch_observer for engine tests: records every start, retry and finish per request index and
// notices events out of order (a retry or finish without a start, a retry after the finish).
// Thread-safe: the engine calls it from every worker; mutex_ guards all it records.

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <vector>

#include <gtest/gtest.h>

#include "client/engine/engine.hpp"

namespace serentak::testing {

struct retry_event {
  std::size_t index;
  client::fetch_result failed;
  std::chrono::milliseconds wait;
};

class recording_observer : public client::fetch_observer {
 public:
  void on_start(const client::fetch_request& request) override {
    std::lock_guard lock(mutex_);
    if (finishes_.count(request.index) != 0) out_of_order_ = true;
    ++starts_[request.index];
  }
  void on_retry(const client::fetch_request& request, const client::fetch_result& failed,
                std::chrono::milliseconds wait) override {
    std::lock_guard lock(mutex_);
    if (starts_.count(request.index) == 0 || finishes_.count(request.index) != 0) out_of_order_ = true;
    retries_.push_back({request.index, failed, wait});
  }
  void on_finish(const client::fetch_request& request, const client::fetch_result& result) override {
    std::lock_guard lock(mutex_);
    if (starts_.count(request.index) == 0) out_of_order_ = true;
    ++finishes_[request.index];
    results_[request.index] = result;
  }

  std::map<std::size_t, int> starts() const {
    std::lock_guard lock(mutex_);
    return starts_;
  }
  std::map<std::size_t, int> finishes() const {
    std::lock_guard lock(mutex_);
    return finishes_;
  }
  client::fetch_result result(std::size_t index) const {
    std::lock_guard lock(mutex_);
    auto it = results_.find(index);
    return it == results_.end() ? client::fetch_result{} : it->second;
  }
  std::vector<retry_event> retries() const {
    std::lock_guard lock(mutex_);
    return retries_;
  }
  std::vector<retry_event> retries_of(std::size_t index) const {
    std::vector<retry_event> mine;
    for (const retry_event& event : retries()) {
      if (event.index == index) mine.push_back(event);
    }
    return mine;
  }
  bool order_ok() const {
    std::lock_guard lock(mutex_);
    return !out_of_order_;
  }
  // Every index in [0, count) started once and finished once, in that order.
  void expect_each_once(std::size_t count) const {
    std::lock_guard lock(mutex_);
    EXPECT_EQ(starts_.size(), count);
    EXPECT_EQ(finishes_.size(), count);
    for (const auto& [index, n] : starts_) EXPECT_EQ(n, 1) << "on_start count of index " << index;
    for (const auto& [index, n] : finishes_) EXPECT_EQ(n, 1) << "on_finish count of index " << index;
    EXPECT_FALSE(out_of_order_);
  }

 private:
  mutable std::mutex mutex_;  // guards everything below
  std::map<std::size_t, int> starts_;
  std::map<std::size_t, int> finishes_;
  std::map<std::size_t, client::fetch_result> results_;
  std::vector<retry_event> retries_;
  bool out_of_order_ = false;
};

}  // namespace serentak::testing
