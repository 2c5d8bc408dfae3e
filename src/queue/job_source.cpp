#include "queue/job_source.hpp"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "queue/item_entries.hpp"
#include "queue/job_record.hpp"
#include "queue/job_scripts.hpp"

namespace serentak::queue {
namespace {

using clock = std::chrono::steady_clock;

}  // namespace

job_source::job_source(const redis_endpoint& endpoint, redis_timeouts timeouts, job_keys keys, job_identity identity,
                       url_template urls, job_source_config config, outage_reporter& outages,
                       const std::atomic<bool>* stop)
    : endpoint_(endpoint),
      timeouts_(timeouts),
      keys_(std::move(keys)),
      identity_(std::move(identity)),
      urls_(std::move(urls)),
      config_(std::move(config)),
      outages_(outages),
      stop_(stop) {
  reader_ = std::thread([this] { read_loop(); });
}

job_source::~job_source() { stop_and_collect_held(); }

std::size_t job_source::refill_at() const noexcept {
  return config_.high_water - std::min(config_.high_water, std::max<std::size_t>(1, config_.high_water / 4));
}

std::optional<client::fetch_request> job_source::next() {
  std::unique_lock lock(queue_mutex_);
  // Bounded: the reader ends every round within one command timeout and sets drained_ or queues.
  const auto give_up = clock::now() + timeouts_.command + std::chrono::seconds(1);
  while (!run_over_ && queue_.empty() && !drained_ && !quit_ && !(stop_ != nullptr && stop_->load()) &&
         !outages_.refused()) {
    if (items_changed_.wait_until(lock, std::min(give_up, clock::now() + std::chrono::milliseconds(20))) ==
            std::cv_status::timeout &&
        clock::now() >= give_up) {
      break;
    }
  }
  if (run_over_ || replaced_ || queue_.empty() || (stop_ != nullptr && stop_->load()) || outages_.refused()) {
    run_over_ = true;
    return std::nullopt;
  }
  entry e = std::move(queue_.front());
  queue_.pop_front();
  handed_out_[e.index].push_back(e.id);
  if (queue_.size() == refill_at()) reader_wake_.notify_one();  // the reader waits for this, or reads already
  client::fetch_request request;
  request.index = e.index;
  request.url = urls_.expand(e.item);
  request.item = std::move(e.item);
  return request;
}

void job_source::begin_run() {
  std::lock_guard lock(queue_mutex_);
  run_over_ = false;
}

bool job_source::wait_for_work(std::chrono::milliseconds timeout) {
  std::unique_lock lock(queue_mutex_);
  return items_changed_.wait_for(lock, timeout, [this] { return !queue_.empty() || quit_; }) && !queue_.empty();
}

std::string job_source::read_refusal() const {
  std::lock_guard lock(queue_mutex_);
  return read_refusal_;
}

bool job_source::take_id(std::size_t index, const std::function<void(std::string id)>& queue_record) {
  std::lock_guard lock(queue_mutex_);
  auto found = handed_out_.find(index);
  if (found == handed_out_.end() || found->second.empty()) return false;
  std::string id = std::move(found->second.back());
  found->second.pop_back();
  if (found->second.empty()) handed_out_.erase(found);
  auto untaken = untaken_.find(id);
  if (untaken != untaken_.end() && --untaken->second > 0) {
    queue_record(std::string());
    return true;
  }
  if (untaken != untaken_.end()) untaken_.erase(untaken);
  queue_record(std::move(id));
  return true;
}

std::vector<std::string> job_source::held_ids_locked() {
  std::vector<std::string> held;
  held.reserve(untaken_.size());
  for (const auto& [id, count] : untaken_) held.push_back(id);
  if (held_elsewhere_) held_elsewhere_(held);
  std::sort(held.begin(), held.end());
  held.erase(std::unique(held.begin(), held.end()), held.end());
  return held;
}

job_source::other_job_entries job_source::not_handed_back() {
  if (reader_.joinable()) return {};  // still the reader's: stop_and_collect_held() first
  return {std::move(to_hand_back_), std::move(new_identity_)};
}

std::vector<std::string> job_source::stop_and_collect_held() {
  {
    std::lock_guard lock(queue_mutex_);
    quit_ = true;
  }
  items_changed_.notify_all();
  reader_wake_.notify_all();
  if (reader_.joinable()) reader_.join();
  std::lock_guard lock(queue_mutex_);
  std::vector<std::string> held;
  held.reserve(untaken_.size());
  for (const auto& [id, count] : untaken_) held.push_back(id);
  queue_.clear();
  handed_out_.clear();
  untaken_.clear();
  return held;
}

void job_source::enqueue(std::vector<entry> entries) {
  {
    std::lock_guard lock(queue_mutex_);
    for (entry& e : entries) {
      ++untaken_[e.id];
      queue_.push_back(std::move(e));
    }
    drained_ = queue_.empty();
  }
  items_changed_.notify_all();
}

void job_source::read_loop() {
  redis_connection connection(endpoint_, timeouts_);
  script_runner scripts(connection);
  reconnect_backoff backoff;
  auto quitting = [this] {
    std::lock_guard lock(queue_mutex_);
    return quit_ || (stop_ != nullptr && stop_->load());
  };
  while (!quitting()) {
    if (!connection.connected()) {
      if (auto failed = connection.connect()) {
        outages_.report_down(&connection, failed->message);
        {
          std::unique_lock lock(queue_mutex_);
          drained_ = queue_.empty();
          items_changed_.notify_all();
          reader_wake_.wait_for(lock, backoff.next(), [this] { return quit_; });
        }
        continue;
      }
      backoff.reset();
      outages_.report_up(&connection);
    }
    // Before anything that may wait (a full queue, records Redis refuses): a live worker keeps what
    // it holds, however long it waits for an answer, a Retry-After or a rate token.
    if (clock::now() >= next_renew_ && !renew_leases(scripts)) continue;  // io error: reconnect at the top
    {
      std::unique_lock lock(queue_mutex_);
      // Read when a quarter of the queue is free (or it is empty), not for every free slot: fewer,
      // larger XREADGROUPs.
      reader_wake_.wait_for(lock, std::chrono::milliseconds(50),
                            [this] { return quit_ || queue_.size() <= refill_at(); });
      if (queue_.size() > refill_at()) continue;
    }
    if (config_.unstored != nullptr && config_.unstored->load() >= config_.max_unstored) {
      outages_.warn_once(
          fmt::format("{} finished records wait to be stored; taking no more items until Redis "
                      "takes them",
                      config_.max_unstored));
      std::unique_lock lock(queue_mutex_);
      drained_ = queue_.empty();  // a run waiting for items ends; the worker waits for the queue
      items_changed_.notify_all();
      reader_wake_.wait_for(lock, std::chrono::milliseconds(100), [this] { return quit_; });
      continue;
    }
    if (!read_round(connection, scripts)) continue;  // io error: reconnect at the top
  }
}

bool job_source::same_job(const redis_result& current) const {
  return current.ok() && !current.view().is_nil() && current.view().text() == identity_.value;
}

bool job_source::not_this_job(script_runner& scripts, std::vector<std::string> taken,
                              std::optional<std::string> new_identity) {
  if (new_identity) {
    for (std::string& id : taken) to_hand_back_.push_back(std::move(id));
    new_identity_ = std::move(*new_identity);
  }
  {
    // What is queued came from this worker's job, whose stream is gone: dropped, not handed back
    // (its IDs may name the new job's entries). What is handed out finishes; its records are refused.
    std::lock_guard lock(queue_mutex_);
    replaced_ = true;
    queue_.clear();
    untaken_.clear();  // records of what is handed out are refused; nothing is acknowledged
    drained_ = true;
  }
  items_changed_.notify_all();
  return hand_back(scripts);
}

bool job_source::hand_back(script_runner& scripts) {
  if (to_hand_back_.empty()) return true;
  // Read by this consumer from the new job's stream: handed back through the release script with
  // that job's identity, so that if it too has been replaced meanwhile nothing is taken from a third.
  std::size_t count = 0;
  redis_result released =
      release_entries(scripts, keys_, config_.consumer, identity_.field, new_identity_, to_hand_back_, count);
  if (!released.ok() && released.error->what == redis_error::kind::io) return false;  // again after reconnecting
  if (!released.ok() && released.error->is_loading()) return true;                    // again next round
  to_hand_back_.clear();
  return true;
}

void job_source::also_renew(held_ids_fn held_elsewhere) {
  std::lock_guard lock(queue_mutex_);
  held_elsewhere_ = std::move(held_elsewhere);
}

// Every entry this worker holds (queued, or handed out and not finished), renewed every renew_every
// (a third of the lease): only a worker that stopped renewing (killed, stopped, cut from Redis) has
// its items reclaimed, not one waiting out a slow answer or a Retry-After longer than the lease.
bool job_source::renew_leases(script_runner& scripts) {
  std::vector<std::string> held;
  {
    std::lock_guard lock(queue_mutex_);
    if (replaced_) return true;
    held = held_ids_locked();
  }
  for (std::size_t from = 0; from < held.size(); from += 1000) {
    std::vector<std::string> args{consumer_group, config_.consumer, identity_.field, identity_.value,
                                  std::to_string(config_.renew_every.count() / 2)};
    args.insert(args.end(), held.begin() + static_cast<long>(from),
                held.begin() + static_cast<long>(std::min(held.size(), from + 1000)));
    redis_result r = scripts.run(scripts::renew, {keys_.items, keys_.meta}, args);
    if (!r.ok() && r.error->what == redis_error::kind::io) return false;
    if (!r.ok() && r.error->is_refusal())
      outages_.refuse("Redis at " + endpoint_.display() +
                      " refused the lease-renewing script, which a worker needs: " + r.error->message);
    else if (!r.ok() && !r.error->is_loading())
      outages_.warn_once("renewing leases failed: " + r.error->message);
    if (!r.ok()) {  // LOADING, BUSY...: again soon, not a whole renewal period later
      next_renew_ =
          clock::now() + std::min<std::chrono::milliseconds>(config_.renew_every, std::chrono::milliseconds(250));
      return true;
    }
  }
  next_renew_ = clock::now() + config_.renew_every;
  return true;
}

// Left pending, an entry no push wrote would be reclaimed every lease for ever and count as in flight;
// it has no index, so no record or dead letter can be made for it. It is acknowledged (and left in
// the stream for whoever wrote it), said once per worker.
bool job_source::acknowledge_foreign(redis_connection& connection, const std::vector<std::string>& ids) {
  std::vector<std::string> ack{"XACK", keys_.items, consumer_group};
  ack.insert(ack.end(), ids.begin(), ids.end());
  redis_result r = connection.command(ack);
  if (!r.ok() && r.error->what == redis_error::kind::io) return false;  // read and acknowledged again later
  if (!r.ok()) {
    outages_.warn_once(
        "warning: entries in the job's stream with no item index (not written by `job push`) "
        "could not be acknowledged: " +
        r.error->message);
  } else {
    outages_.warn_once(
        "warning: entries in the job's stream with no item index (not written by `job push`) are "
        "acknowledged and skipped");
  }
  return true;
}

bool job_source::read_round(redis_connection& connection, script_runner& scripts) {
  if (outages_.refused()) {
    // The worker is ending: nothing more is claimed or read (what it took would only wait a lease),
    // next() is not kept waiting, and the reader does not spin until the main loop stops it.
    std::unique_lock lock(queue_mutex_);
    drained_ = true;
    items_changed_.notify_all();
    reader_wake_.wait_for(lock, std::chrono::milliseconds(200), [this] { return quit_; });
    return true;
  }
  std::size_t room;
  {
    std::lock_guard lock(queue_mutex_);
    room = config_.high_water > queue_.size() ? config_.high_water - queue_.size() : 0;
  }
  room = std::min(room, config_.batch);
  if (!hand_back(scripts)) return false;
  {
    std::unique_lock lock(queue_mutex_);
    if (replaced_) {  // the job is gone: nothing more to read; the main loop exits
      reader_wake_.wait_for(lock, std::chrono::milliseconds(500), [this] { return quit_; });
      return true;
    }
  }
  if (room == 0) return true;
  std::vector<entry> got;
  std::vector<std::string> foreign;  // entries no push wrote (no index): acknowledged, not fetched
  // What XAUTOCLAIM gave this worker is its own now (a delivery counted, the idle time reset): a later
  // step of the round that fails must not drop it, or it would sit a whole lease unfetched.
  auto keep_reclaimed = [&] {
    if (!got.empty()) enqueue(std::exchange(got, {}));
  };

  if (clock::now() >= next_reclaim_) {
    redis_result r =
        scripts.run(scripts::reclaim, {keys_.items, keys_.meta, keys_.records},
                    {consumer_group, config_.consumer, std::to_string(config_.lease.count()), reclaim_cursor_,
                     std::to_string(room), identity_.field, identity_.value, std::to_string(config_.max_deliveries)});
    if (!r.ok()) {
      if (r.error->what == redis_error::kind::io) return false;
      if (scripts::is_gone_error(r.error->message)) return not_this_job(scripts, {}, std::nullopt);
      if (r.error->is_refusal())
        outages_.refuse("Redis at " + endpoint_.display() +
                        " refused the reclaim script, which a worker needs: " + r.error->message);
      else if (r.error->message.find("NOGROUP") == std::string::npos && !r.error->is_loading())
        outages_.warn_once("reclaiming failed: " + r.error->message);
      next_reclaim_ = clock::now() + config_.reclaim_every;
    } else {
      reply_view v = r.view();
      reclaim_cursor_ = std::string(v[0].text());
      if (reclaim_cursor_.empty()) reclaim_cursor_ = "0-0";
      // Items of entries the script split, added again as entries of their own for any worker to read.
      reclaimed_.fetch_add(static_cast<std::size_t>(std::max(0LL, v[1].integer())));
      std::vector<std::pair<entry, long long>> dying;  // delivered more than --max-deliveries times
      for (std::size_t k = 2; k < v.size(); ++k) {
        std::string id(v[k][0].text());
        std::optional<entry_items> fields = read_entry_items(v[k][1]);
        if (!fields) {
          foreign.push_back(std::move(id));
          continue;
        }
        const long long deliveries = v[k][2].integer();
        for (std::size_t m = 0; m < fields->items.size(); ++m) {
          entry e{id, fields->first + m, std::move(fields->items[m])};
          if (deliveries > config_.max_deliveries) {
            dying.emplace_back(std::move(e), deliveries);
          } else {
            reclaimed_.fetch_add(1);
            got.push_back(std::move(e));
          }
        }
      }
      if (!dying.empty()) {
        // What workers noted of the items' failed attempts, if any (rare: one round trip per reclaim
        // that letters something). Read or not, the letters go: an error here only shortens them.
        std::vector<std::string> last_errors(dying.size());
        std::vector<std::string> ask{"HMGET", keys_.errors};
        for (const auto& [e, deliveries] : dying) ask.push_back(std::to_string(e.index));
        redis_result noted = connection.command(ask);
        if (!noted.ok() && noted.error->what == redis_error::kind::io) {  // those are reclaimed again later
          keep_reclaimed();
          return false;
        }
        if (noted.ok() && noted.view().size() == dying.size())
          for (std::size_t k = 0; k < dying.size(); ++k)
            if (!noted.view()[k].is_nil()) last_errors[k] = std::string(noted.view()[k].text());
        std::vector<std::string> dead_args{consumer_group, identity_.field, identity_.value};
        for (std::size_t k = 0; k < dying.size(); ++k) {
          const auto& [e, deliveries] = dying[k];
          const std::string error = dead_letter_error(deliveries, last_errors[k]);
          dead_args.insert(dead_args.end(), {e.id, std::to_string(e.index),
                                             make_dead_record(e.index, e.item, urls_.expand(e.item), error),
                                             std::to_string(deliveries), error});
        }
        redis_result d =
            scripts.run(scripts::dead_letter,
                        {keys_.records, keys_.items, keys_.outcomes, keys_.dead, keys_.meta, keys_.errors}, dead_args);
        if (!d.ok() && d.error->what == redis_error::kind::io) {  // those are reclaimed again later
          keep_reclaimed();
          return false;
        }
        // Only those it lettered: an item recorded meanwhile (a slow worker finished it) keeps its record.
        if (d.ok() && d.view().integer() > 0) dead_lettered_.fetch_add(static_cast<std::size_t>(d.view().integer()));
      }
      // A full scan of the pending list is done when the cursor comes back to 0-0.
      if (reclaim_cursor_ == "0-0") next_reclaim_ = clock::now() + config_.reclaim_every;
      room -= std::min(room, got.size());
    }
  }

  // Those the reclaim found, now: a read that fails below ends the round.
  if (!foreign.empty()) {
    if (!acknowledge_foreign(connection, foreign)) {
      keep_reclaimed();
      return false;
    }
    foreign.clear();
  }

  if (outages_.refused()) {  // refused meanwhile: what was reclaimed is held (and released at the end)
    keep_reclaimed();
    return true;
  }
  if (room > 0) {
    // One round trip: the identity check and the read. A job deleted and pushed again under its
    // name is another job; what the read took from it goes back at once.
    connection.append({"HGET", keys_.meta, identity_.field});
    // Entries of up to items_per_entry items: at least one, and no more than the room has for whole ones.
    connection.append({"XREADGROUP", "GROUP", consumer_group, config_.consumer, "COUNT",
                       std::to_string(std::max<std::size_t>(1, room / items_per_entry)), "STREAMS", keys_.items, ">"});
    std::vector<redis_result> replies = connection.read_replies();
    for (const redis_result& reply : replies) {
      if (!reply.ok() && reply.error->what == redis_error::kind::io) {
        keep_reclaimed();
        return false;
      }
    }
    redis_result& r = replies[1];
    // An error reply (LOADING while Redis replays its AOF) says nothing about the job: the read's
    // own error, below, decides.
    if (replies[0].ok() && !same_job(replies[0])) {
      // What the read took is the new job's: it goes back. What this round reclaimed before is
      // dropped with the rest of the queue (not_this_job).
      std::vector<std::string> taken;
      if (r.ok() && r.view().is_array() && r.view().size() > 0) {
        reply_view entries = r.view()[0][1];
        for (std::size_t k = 0; k < entries.size(); ++k) taken.emplace_back(entries[k][0].text());
      }
      std::optional<std::string> new_identity;
      if (!replies[0].view().is_nil()) new_identity = std::string(replies[0].view().text());
      return not_this_job(scripts, std::move(taken), std::move(new_identity));
    }
    if (!r.ok()) {
      if (r.error->what == redis_error::kind::io) return false;
      // NOGROUP: the job was deleted; the worker's main loop notices and says so.
      const bool refusal = r.error->is_refusal();
      if (!refusal && !r.error->message.starts_with("NOGROUP") && !r.error->is_loading()) {
        outages_.warn_once("reading items failed: " + r.error->message);
      }
      keep_reclaimed();
      std::unique_lock lock(queue_mutex_);
      if (refusal && read_refusal_.empty()) {
        read_refusal_ = "Redis at " + endpoint_.display() +
                        " refused XREADGROUP, which a worker needs to take items: " + r.error->message;
      }
      drained_ = queue_.empty();
      items_changed_.notify_all();
      reader_wake_.wait_for(lock, std::chrono::milliseconds(500), [this] { return quit_; });
      return true;
    }
    {
      std::lock_guard lock(queue_mutex_);
      read_refusal_.clear();  // reads are allowed again (the ACL was mended): nothing to end with
    }
    reply_view streams = r.view();  // nil when nothing new: [[key, [[id, fields]...]]]
    if (streams.is_array() && streams.size() > 0) {
      reply_view entries = streams[0][1];
      for (std::size_t k = 0; k < entries.size(); ++k) {
        std::string id(entries[k][0].text());
        std::optional<entry_items> fields = read_entry_items(entries[k][1]);
        if (!fields) {
          foreign.push_back(std::move(id));
          continue;
        }
        for (std::size_t m = 0; m < fields->items.size(); ++m)
          got.push_back(entry{id, fields->first + m, std::move(fields->items[m])});
      }
    }
  }
  if (!foreign.empty() && !acknowledge_foreign(connection, foreign)) {
    keep_reclaimed();
    return false;
  }
  const bool nothing = got.empty() && foreign.empty();
  enqueue(std::move(got));
  if (nothing) {
    // Nothing new and nothing to reclaim: look again shortly (an item re-queued, a lease expiring).
    std::unique_lock lock(queue_mutex_);
    reader_wake_.wait_for(lock, std::chrono::milliseconds(100), [this] { return quit_; });
  }
  return true;
}

}  // namespace serentak::queue
