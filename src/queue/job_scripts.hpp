#pragma once
// The Lua scripts that keep a job consistent: each runs atomically inside Redis, so "write the
// record only if none exists, then acknowledge" can never be torn by a crash or raced by a second
// worker. script_runner calls one by EVALSHA, loading it on first use and again after NOSCRIPT
// (a restarted Redis forgets its script cache).
// Not thread-safe: one runner per connection (per thread).

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "queue/job_keys.hpp"
#include "queue/redis_connection.hpp"

namespace serentak::queue::scripts {

// KEYS meta items; ARGV spec digest created_ms. Creates the job (and its consumer group; its
// instance: Redis's clock, "<seconds>.<microseconds, 6 digits>") or checks that the stored digest
// matches. Returns the items pushed
// so far; error "SERENTAK_SPEC <digest>" when a different specification holds the name.
extern const std::string_view create_job;
// KEYS meta items; ARGV digest start items_before items_after per_entry (index item)... Appends the
// items whose index is not yet pushed, per_entry of them to an entry "<generation>-<first index>"
// (queue/item_entries.hpp; generation 1 unless a retry or a reclaim's split ran before; meta's
// push_generations lists "<generation>:<first index>" for each used). Returns how many it added;
// error "SERENTAK_ITEMS <count>" when the job's first count items are not the pusher's (items_before
// and items_after: the pusher's items digest at start and after the chunk; items_digest in job_keys).
extern const std::string_view push_items;
// KEYS meta; ARGV digest total items_digest. Marks the push complete (total items); error
// "SERENTAK_ITEMS <count>" when the job's items digest at total is not the pusher's.
extern const std::string_view finish_push;
// KEYS records items outcomes workers meta errors; ARGV group consumer identity_field identity_value
// (id index outcome line)... For each: store the record unless the item has one (first record wins:
// one HMGET finds those without, one HSET per 1,000 arguments stores them), count its outcome if
// it was written, XACK the id unless it is "" (an entry of several items is acknowledged with the last
// of its records, which the worker sends after the others); when the job has notes of failed attempts (errors), the
// batch's items' go: they have records now. Returns the records written; -1 (nothing written) when the job is gone:
// meta's identity field no longer holds the value (deleted, or deleted and pushed again: another
// job, whose indexes and entry IDs mean other items; job_identity).
extern const std::string_view record_and_ack;
// KEYS records items outcomes dead meta errors; ARGV group identity_field identity_value
// (id index line deliveries error)... Dead-letters each: its record (if none yet), an entry in the
// dead stream (the item's text read from entry id, which may hold several), XACK, its note of a failed attempt deleted.
// Returns how many it dead-lettered (an item recorded meanwhile keeps its record); -1 when the job is gone (as
// record_and_ack).
extern const std::string_view dead_letter;
// KEYS items meta records; ARGV group consumer lease_ms cursor count identity_field identity_value
// max_deliveries. XAUTOCLAIM, then each claimed entry's delivery count (plus its "d"). An entry of
// several items within max_deliveries is split: its items without a record are added again as
// entries of one, "<new generation>-<index>" with d (the deliveries so far), and it is acknowledged.
// Returns {next_cursor, items split out, {id, {fields...}, deliveries}...} for the rest; an error holding gone_error
// when meta names another job (or none): the stream is then another job's, whose entries are not this worker's to take.
extern const std::string_view reclaim;
// Whether an error from reclaim says the job is gone. Redis 7 puts "ERR " before an error reply
// whose text has no space, so the code is looked for, not expected first.
inline constexpr std::string_view gone_error = "SERENTAK_GONE";
inline bool is_gone_error(std::string_view message) { return message.find(gone_error) != std::string_view::npos; }
// KEYS items meta; ARGV group consumer identity_field identity_value id... Hands entries back (a
// worker stopping): those still pending for the consumer are XCLAIMed to it with an idle time of
// years and RETRYCOUNT one less (no JUSTID: the entries' items are counted), so the next XAUTOCLAIM
// of any worker takes them at once, without counting a
// delivery. Returns how many items they hold; -1 when meta names another job: the IDs would name
// that job's entries, which other workers hold.
extern const std::string_view release;
// KEYS items meta; ARGV group consumer identity_field identity_value min_idle_ms id... (the reader
// gives half its renewal period: an entry then goes at most 1.5 periods, half a lease, unrenewed) Renews the
// leases of entries still pending for the consumer (a worker's own, alive) and idle at least
// min_idle_ms: XCLAIM ... 0 ... JUSTID resets their idle time without counting a delivery, and only
// those need it (a write, which Redis also appends to its AOF; the XPENDING that checks is a read). An
// entry another worker took (this one was stopped past its lease) is left to it. Returns how many;
// -1 when the job is gone.
extern const std::string_view renew;
// KEYS items meta; ARGV group consumer identity_field identity_value. A worker ending leaves the
// consumer group (XGROUP DELCONSUMER) only while nothing is pending for it: deleting a consumer drops
// its pending entries, which would then never be reclaimed. So `job status` can tell a worker that
// exited from one that was killed (a consumer still, silent). Returns 1 when it left, 0 when it holds
// entries (released ones included, until another worker claims them), -1 when the job is gone.
extern const std::string_view leave_group;
// KEYS meta records outcomes items errors; ARGV (index outcome)... in ascending index order. Takes a new
// generation (meta's generation + 1; used up even when nothing is re-queued), then for each item
// whose record still has that outcome: adds it again as "<generation>-<index>", its text read from
// the entry the push added (push_generations says in which generation; the last entry there that
// starts at or before the index holds it), and deletes its record
// and any note of a failed attempt (the item starts again).
// Returns how many it re-queued; 0 for a deleted job.
extern const std::string_view requeue;
// KEYS meta records errors; ARGV identity_field identity_value (index text)... Notes each failed
// attempt (job_sink) for an item that has no record yet: a late worker's attempt at an item
// dead-lettered or finished elsewhere is not noted. Returns how many; -1 when the job is gone.
extern const std::string_view note_failed_attempts;

// Shared politeness (docs/distributed.md, "Shared politeness"). Times are Redis's own clock
// (TIME), so workers on machines whose clocks disagree still share one bucket.
// KEYS hostrate pause workers taken meta; ARGV host rate burst want returned accepted increase_per_s
// consumer adaptive identity_field identity_value. For another job than the identity names (deleted,
// maybe pushed again) it touches nothing: {0, 1000, 1, rate}. The host's bucket is one field of the hostrate hash,
// "tokens last_ms rate last_decrease_ms". Gives back `returned` unspent tokens, raises an adaptive rate by `accepted`
// answers, refills, then grants `want` tokens once the bucket holds that many (a whole batch: a
// worker given a few would be back at once) unless the pause key (pause-until, Redis ms) is in
// the future. Also marks consumer alive in the workers sorted set (score: ms), and adds granted
// minus returned to the host's field of the taken hash (what `job status` reports as sent).
// Returns {granted, wait_ms (when granted is 0), live workers, rate as text}.
extern const std::string_view host_lease;
// KEYS pause hostrate meta; ARGV host pause_ms adaptive decrease floor rate burst identity_field
// identity_value (another job's: nothing touched, 0). A Retry-After:
// pause-until = now + pause_ms unless a later one is set (the key expires with it). Adaptive: the
// rate x decrease (not below floor), once per congestion event (a second, or the pause).
// Returns the pause-until (Redis ms) or 0.
extern const std::string_view host_push_back;

}  // namespace serentak::queue::scripts

namespace serentak::queue {

class script_runner {
 public:
  explicit script_runner(redis_connection& connection) : connection_(connection) {}

  // EVALSHA script numkeys keys... args...; loads the script when Redis does not know it.
  redis_result run(std::string_view script, const std::vector<std::string>& keys, const std::vector<std::string>& args);
  // The same without copying the arguments (a batch of records): the views need live only during the call.
  redis_result run(std::string_view script, const std::vector<std::string>& keys,
                   std::span<const std::string_view> args);

 private:
  redis_connection& connection_;
  std::vector<std::pair<const char*, std::string>> shas_;  // script text address -> SHA1 from SCRIPT LOAD
};

// Hands entries back through scripts::release, 1,000 IDs per call. Adds how many went back to
// `released`. Returns the first call that failed or found another job under the name (-1), else
// the last call's result (an empty result when there was nothing to hand back).
redis_result release_entries(script_runner& scripts, const job_keys& keys, std::string_view consumer,
                             std::string_view identity_field, std::string_view identity_value,
                             std::span<const std::string> ids, std::size_t& released);

}  // namespace serentak::queue
