#pragma once
// The Redis keys of one job, all under "serentak:NAME:" (docs/distributed.md lists them):
//   meta     hash    spec (JSON), digest, pushed (items streamed so far), total (set when a push
//                    completes), created_ms, instance (job_identity), generation (one per requeue call),
//                    push_generations (where each generation a push used starts, "1:0 <g>:<index>..."; absent: "1:0"),
//                    items_digest ("<pushed> <16 hex>", the pushed items' running digest: job_scripts.hpp),
//                    dead_requeued (dead-lettered items a retry re-queued: status subtracts them)
//   items    stream  up to 16 consecutive items per entry, ID "<generation>-<first index>": "1-<index>"
//                    unless a retry or a split ran before the push added it; fields i (first index)
//                    and item, repeated (queue/item_entries.hpp); a retried item's new entry, and each
//                    item a reclaim split out of an entry, is an entry of its own in a new generation
//                    (a split's with d, its deliveries so far); consumer group "workers"
//   records  hash    index -> the item's final record (one JSONL line); written only where none is
//   outcomes hash    outcome -> records with that outcome
//   workers  hash    consumer (host:pid:random) -> records it wrote
//   dead     stream  dead-lettered items: i, item, deliveries, error
//   errors   hash    index -> the last failed attempt a worker saw for an item still without a record
//                    ("attempt 2: server_error 503"), for its dead letter; deleted when the item gets a
//                    record (record_and_ack, dead_letter) or is re-queued (requeue)
//   hostrate hash    host ("http://h:port") -> its shared token bucket, "tokens last_ms rate
//                    last_decrease_ms" (--host-rate; Redis clock)
//   hostrate_workers sorted set  consumer -> when it last leased tokens (ms): the live workers
//   hostrate_taken hash  host -> tokens leased and not given back (about the requests sent; job status)
//   pause:HOST string the pause-until (Redis ms) of a Retry-After; expires with it
// Pure values; thread-safe.

#include <string>

namespace serentak::queue {

inline constexpr const char* consumer_group = "workers";

struct job_keys {
  explicit job_keys(const std::string& name)
      : meta("serentak:" + name + ":meta"),
        items("serentak:" + name + ":items"),
        records("serentak:" + name + ":records"),
        outcomes("serentak:" + name + ":outcomes"),
        workers("serentak:" + name + ":workers"),
        dead("serentak:" + name + ":dead"),
        errors("serentak:" + name + ":errors"),
        hostrate("serentak:" + name + ":hostrate"),
        hostrate_workers("serentak:" + name + ":hostrate_workers"),
        hostrate_taken("serentak:" + name + ":hostrate_taken"),
        pause_prefix("serentak:" + name + ":pause:") {}

  std::string meta;
  std::string items;
  std::string records;
  std::string outcomes;
  std::string workers;
  std::string dead;
  std::string errors;
  std::string hostrate;
  std::string hostrate_workers;
  std::string hostrate_taken;
  std::string pause_prefix;  // + host
};

// Which push of a job a worker works for. A job deleted and pushed again under its name is another
// job: its indexes and entry IDs mean other items, so a worker of the old one must not record into
// it, nor take its entries. meta's "instance" (Redis's clock when the job was created) tells them
// apart; a job pushed by an earlier serentak has none, and its "created_ms" does.
struct job_identity {
  std::string field;  // "instance", or "created_ms"
  std::string value;
};

}  // namespace serentak::queue
