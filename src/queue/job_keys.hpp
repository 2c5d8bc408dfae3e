#pragma once
// The Redis keys of one job, all under "serentak:NAME:" (docs/distributed.md lists them):
//   meta     hash    spec (JSON), digest, pushed (items streamed so far), total (set when a push
//                    completes), created_ms, generation (retry rounds)
//   items    stream  one entry per item, ID "1-<index>" (retries: "<generation>-<index>"),
//                    fields i (index) and item; consumer group "workers"
//   records  hash    index -> the item's final record (one JSONL line); written with HSETNX only
//   outcomes hash    outcome -> records with that outcome
//   workers  hash    consumer (host:pid) -> records it wrote
//   dead     stream  dead-lettered items: i, item, deliveries, error
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
        dead("serentak:" + name + ":dead") {}

  std::string meta;
  std::string items;
  std::string records;
  std::string outcomes;
  std::string workers;
  std::string dead;
};

}  // namespace serentak::queue
