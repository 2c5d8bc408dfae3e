#include "queue/job_sink.hpp"

#include "queue/job_record.hpp"
#include "queue/job_scripts.hpp"

namespace serentak::queue {
namespace {

using clock = std::chrono::steady_clock;
constexpr std::size_t max_batch = 500;                        // records per EVALSHA
constexpr std::size_t max_batch_bytes = 32 << 20;             // and their bytes (one larger record goes alone)
constexpr std::size_t eager_batch = 64;                       // flush at once when this many wait
constexpr auto linger = std::chrono::milliseconds(10);        // otherwise, after this long
constexpr std::size_t max_notes = 10000;                      // failed attempts waiting to be noted; more are dropped
constexpr auto notes_every = std::chrono::milliseconds(100);  // while attempts keep failing: one script call per

}  // namespace

job_sink::job_sink(const redis_endpoint& endpoint, redis_timeouts timeouts, job_keys keys, job_identity identity,
                   std::string consumer, job_source& source, outage_reporter& outages, const std::atomic<bool>* stop,
                   std::size_t max_record_bytes, std::atomic<std::size_t>& unstored, retry_policy retry)
    : endpoint_(endpoint),
      timeouts_(timeouts),
      keys_(std::move(keys)),
      identity_(std::move(identity)),
      consumer_(std::move(consumer)),
      source_(source),
      outages_(outages),
      stop_(stop),
      max_record_bytes_(max_record_bytes),
      unstored_(unstored),
      retry_(retry) {
  flusher_ = std::thread([this] { flush_loop(); });
}

job_sink::~job_sink() { finish(std::chrono::milliseconds(0)); }

void job_sink::on_start(const client::fetch_request& /*request*/) {}

void job_sink::note(std::size_t index, const client::fetch_result& failed_attempt) {
  std::string text = describe_failed_attempt(failed_attempt);
  std::lock_guard lock(pending_mutex_);
  if (notes_.size() < max_notes || notes_.count(index) > 0) notes_[index] = std::move(text);
}

void job_sink::on_retry(const client::fetch_request& request, const client::fetch_result& failed_attempt,
                        std::chrono::milliseconds /*wait*/) {
  note(request.index, failed_attempt);
}

void job_sink::on_finish(const client::fetch_request& request, const client::fetch_result& result) {
  // A cancelled item is not final: its entry stays in the source's hands, to be released. Nor is a
  // failure the job would have tried again: stopped, the engine settles it, but another worker should
  // give it the attempts it has left.
  if (stop_ != nullptr && stop_->load() &&
      (result.kind == outcome::unexpected || retry_.should_retry(result.kind, result.http_status, result.attempts))) {
    if (result.kind != outcome::unexpected) note(request.index, result);  // not one cancelled by the stop
    return;
  }
  // Built before the entry ID is taken: another engine thread may finish this entry's last item
  // meanwhile, and its record, which acknowledges the entry, must be queued after this one.
  finished_record record = make_record(request, result);
  if (record.line.size() > max_record_bytes_)
    record = make_too_large_record(request, result, record.line.size(), max_record_bytes_);
  bool wake = false;
  unstored_.fetch_add(1);  // before the flusher can see it, store it and count it off
  const bool queued = source_.take_id(request.index, [&](std::string id) {
    std::lock_guard lock(pending_mutex_);
    pending_.push_back({std::move(id), request.index, std::string(to_string(record.kind)), std::move(record.line)});
    wake = pending_.size() >= eager_batch;
  });
  if (!queued) {  // not handed out by the source (cannot happen): nothing to store or acknowledge
    unstored_.fetch_sub(1);
    return;
  }
  finished_.fetch_add(1);
  if (wake) pending_changed_.notify_one();
}

void job_sink::collect_unstored_ids(std::vector<std::string>& out) {
  std::lock_guard lock(pending_mutex_);
  for (const pending_record& r : pending_)
    if (!r.id.empty()) out.push_back(r.id);
  out.insert(out.end(), batch_ids_.begin(), batch_ids_.end());
}

std::size_t job_sink::finish(std::chrono::milliseconds budget) {
  {
    std::lock_guard lock(pending_mutex_);
    if (!quit_) flush_deadline_ = clock::now() + budget;
    quit_ = true;
  }
  pending_changed_.notify_all();
  if (flusher_.joinable()) flusher_.join();
  std::lock_guard lock(pending_mutex_);
  return pending_.size() + in_flusher_.load();
}

// Sent ahead of the batch's records (an item's note and its record in one linger: the script skips
// the note, the record being stored after it clears it anyway). Only a lost connection keeps them
// for the next try; the job gone or a refusal drops them.
bool job_sink::flush_notes(script_runner& scripts, attempt_notes& notes) {
  if (notes.empty()) return true;
  std::vector<std::string> indexes;
  indexes.reserve(notes.size());
  std::vector<std::string_view> args{identity_.field, identity_.value};
  args.reserve(2 + notes.size() * 2);
  for (const auto& [index, text] : notes) indexes.push_back(std::to_string(index));
  std::size_t k = 0;
  for (const auto& [index, text] : notes) args.insert(args.end(), {indexes[k++], text});
  redis_result r = scripts.run(scripts::note_failed_attempts, {keys_.meta, keys_.records, keys_.errors},
                               std::span<const std::string_view>(args));
  if (!r.ok() && r.error->what == redis_error::kind::io) return false;
  notes.clear();
  return true;
}

bool job_sink::flush_batch(script_runner& scripts, std::vector<pending_record>& batch) {
  // Views into the batch, which outlives the call: the records are not copied on their way out.
  std::vector<std::string> indexes;
  indexes.reserve(batch.size());
  for (const pending_record& r : batch) indexes.push_back(std::to_string(r.index));
  std::vector<std::string_view> args{consumer_group, consumer_, identity_.field, identity_.value};
  args.reserve(4 + batch.size() * 4);
  for (std::size_t k = 0; k < batch.size(); ++k) {
    args.push_back(batch[k].id);
    args.push_back(indexes[k]);
    args.push_back(batch[k].outcome);
    args.push_back(batch[k].line);
  }
  redis_result result = scripts.run(
      scripts::record_and_ack, {keys_.records, keys_.items, keys_.outcomes, keys_.workers, keys_.meta, keys_.errors},
      std::span<const std::string_view>(args));
  round_trips_.fetch_add(1);
  if (!result.ok()) {
    if (result.error->is_refusal())
      outages_.refuse("Redis at " + endpoint_.display() +
                      " refused the record script, which a worker needs: " + result.error->message);
    else if (result.error->what == redis_error::kind::server && !result.error->is_loading())
      outages_.warn_once("storing records failed: " + result.error->message);
    return false;
  }
  // -1: the job is gone (deleted, maybe pushed again); the batch is dropped, the main loop notices
  // and exits.
  if (result.view().integer() < 0) refused_.fetch_add(batch.size());
  written_.fetch_add(static_cast<std::size_t>(std::max(0LL, result.view().integer())));
  unstored_.fetch_sub(batch.size());
  return true;
}

void job_sink::flush_loop() {
  redis_connection connection(endpoint_, timeouts_);
  script_runner scripts(connection);
  reconnect_backoff backoff;
  std::vector<pending_record> batch;
  attempt_notes notes;  // taken from notes_, sent ahead of the batch
  auto notes_due = clock::now();
  for (;;) {
    bool quitting = false;
    {
      std::unique_lock lock(pending_mutex_);
      if (batch.empty()) {
        pending_changed_.wait_for(lock, linger, [this] { return quit_ || pending_.size() >= eager_batch; });
        std::size_t take = 0, bytes = 0;
        while (take < std::min(pending_.size(), max_batch) &&
               (take == 0 || bytes + pending_[take].line.size() <= max_batch_bytes))
          bytes += pending_[take++].line.size();
        batch.assign(std::make_move_iterator(pending_.begin()),
                     std::make_move_iterator(pending_.begin() + static_cast<long>(take)));
        pending_.erase(pending_.begin(), pending_.begin() + static_cast<long>(take));
        in_flusher_.store(batch.size());
        batch_ids_.clear();  // the last batch's, stored by now
        for (const pending_record& r : batch)
          if (!r.id.empty()) batch_ids_.push_back(r.id);
      }
      // A later note of an item replaces one not yet sent; both maps stay within max_notes items.
      if (notes.empty()) {
        notes.swap(notes_);
      } else {
        for (auto& [index, text] : notes_)
          if (notes.size() < max_notes || notes.count(index) > 0) notes[index] = std::move(text);
        notes_.clear();
      }
      quitting = quit_;
      // A stop's deadline for Redis I/O has passed too: nothing more can be sent.
      const bool given_up = timeouts_.give_up != nullptr && timeouts_.give_up->passed();
      // Notes alone are sent while stopping only over a live connection: not worth a dial.
      const bool nothing_to_send = batch.empty() && (notes.empty() || !connection.connected());
      // Refused for good (an ACL): nothing queued can be stored, waiting for the deadline is pointless.
      if (quitting && (nothing_to_send || clock::now() >= flush_deadline_ || given_up || outages_.refused())) {
        // Unsent records go back so finish() can count them; their entries stay pending in
        // Redis and are reclaimed and fetched again by a worker after the lease.
        for (pending_record& r : batch) pending_.push_back(std::move(r));
        in_flusher_.store(0);
        return;
      }
    }
    if (batch.empty() && notes.empty()) continue;
    if (!connection.connected()) {
      if (auto failed = connection.connect()) {
        outages_.report_down(&connection, failed->message);
        std::unique_lock lock(pending_mutex_);
        auto wait = backoff.next();
        if (quit_) wait = std::min<std::chrono::milliseconds>(wait, std::chrono::milliseconds(100));
        pending_changed_.wait_for(lock, wait);
        continue;
      }
      backoff.reset();
      outages_.report_up(&connection);
    }
    if (!notes.empty() && (quitting || clock::now() >= notes_due)) {
      if (!flush_notes(scripts, notes)) continue;  // the connection is lost: again after reconnecting
      notes_due = clock::now() + notes_every;
    }
    if (batch.empty()) continue;
    if (flush_batch(scripts, batch)) {
      batch.clear();
      in_flusher_.store(0);
    } else if (outages_.refused()) {
      // Refused for good: what is queued cannot be stored; the worker ends (its entries are
      // reclaimed after the lease).
      std::unique_lock lock(pending_mutex_);
      pending_changed_.wait_for(lock, std::chrono::milliseconds(200), [this] { return quit_; });
    } else if (connection.connected()) {
      // A server error (not io): wait a little so a persistent one does not spin.
      std::unique_lock lock(pending_mutex_);
      pending_changed_.wait_for(lock, std::chrono::milliseconds(200));
    }
  }
}

}  // namespace serentak::queue
