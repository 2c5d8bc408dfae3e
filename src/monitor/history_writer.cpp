#include "monitor/history_writer.hpp"

#include <vector>

namespace serentak::monitor {

history_writer::history_writer(std::unique_ptr<history_store> store, history_writer_options options)
    : store_(std::move(store)), options_(options) {
  thread_ = std::thread([this] { run(); });
}

history_writer::~history_writer() { close(); }

bool history_writer::offer(check_record record) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= options_.queue_capacity) {
      ++dropped_;
      return false;
    }
    queue_.push_back(std::move(record));
    ++offered_records_;
  }
  wake_.notify_one();
  return true;
}

void history_writer::offer_state(const std::string& endpoint, const health_state& state) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    states_[endpoint] = state;
    ++offered_states_;
  }
  wake_.notify_one();
}

void history_writer::flush() {
  std::unique_lock lock(mutex_);
  const std::uint64_t records = offered_records_;
  const std::uint64_t states = offered_states_;
  progress_.wait(lock, [&] { return (done_records_ >= records && done_states_ >= states) || closed_; });
}

void history_writer::close() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  progress_.notify_all();
}

void history_writer::run() {
  std::vector<check_record> batch;
  std::vector<std::pair<std::string, health_state>> states;
  for (;;) {
    std::uint64_t records_upto = 0, states_upto = 0;
    {
      std::unique_lock lock(mutex_);
      // Wakes at least once a minute, so maintenance runs even when no check is being written.
      wake_.wait_for(lock, std::chrono::minutes{1}, [&] { return stopping_ || !queue_.empty() || !states_.empty(); });
      if (queue_.empty() && states_.empty()) {
        if (stopping_) return;
        lock.unlock();
        maintain_if_hour_turned();
        continue;
      }
      batch.clear();
      states.clear();
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      for (auto& s : states_) states.emplace_back(s.first, s.second);
      states_.clear();
      records_upto = offered_records_ - queue_.size();  // what stays queued is the newest
      states_upto = offered_states_;
    }
    // A failed transaction rolls back whole, so the same batch can be tried again: a reader holding
    // the lock past the busy timeout (the sqlite3 shell mid-query) should cost time, not records.
    std::string error;
    for (int attempt = 0; attempt < 3; ++attempt) {
      if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds{200 * attempt});
      try {
        store_->write(batch, states);
        error.clear();
        break;
      } catch (const history_error& e) {
        error = e.what();
      }
    }
    maintain_if_hour_turned();
    {
      std::lock_guard lock(mutex_);
      if (error.empty()) {
        written_ += batch.size();
      } else {
        ++failed_batches_;
        last_error_ = std::move(error);
      }
      done_records_ = records_upto;
      done_states_ = states_upto;
    }
    progress_.notify_all();
  }
}

void history_writer::maintain_if_hour_turned() {
  if (!options_.maintain) return;
  const wall_time hour = hour_of(options_.clock());
  if (hour == maintained_hour_) return;
  try {
    // The first time, every hour still kept; later, only the hours since the last maintenance.
    const wall_time since =
        maintained_hour_ == wall_time{} ? hour - options_.keep_checks : maintained_hour_ - std::chrono::hours{1};
    store_->roll_up_closed_hours(hour, since);
    store_->apply_retention(options_.clock(), options_.keep_checks, options_.keep_rollups);
    maintained_hour_ = hour;
  } catch (const history_error& e) {
    std::lock_guard lock(mutex_);
    last_error_ = e.what();  // tried again at the next batch or wake-up
  }
}

std::uint64_t history_writer::written() const {
  std::lock_guard lock(mutex_);
  return written_;
}
std::uint64_t history_writer::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}
std::uint64_t history_writer::failed_batches() const {
  std::lock_guard lock(mutex_);
  return failed_batches_;
}
std::string history_writer::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

}  // namespace serentak::monitor
