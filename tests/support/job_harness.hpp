#pragma once
// Shared steps of the `serentak job` tests: run a job subcommand, start workers as background
// processes, collect a job and count its records per item. Every wait is bounded.

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/child_process.hpp"
#include "support/process_runner.hpp"
#include "support/redis_server.hpp"

namespace serentak::testing {

// The lines of a command's output (its newlines): a refusal is exactly one.
std::size_t line_count(const std::string& text);

// `serentak job ARGS...`, to completion (deadline 60 s unless given).
process_result run_job(const std::vector<std::string>& args,
                       std::chrono::milliseconds deadline = std::chrono::seconds(60));

// `serentak job work TARGET EXTRA...` in the background, output in dir/NAME.out|.err.
std::unique_ptr<child_process> start_worker(const std::string& target, const std::vector<std::string>& extra,
                                            const std::filesystem::path& dir, const std::string& name);

// Writes items "PREFIX0".."PREFIX<count-1>", one per line; returns the path.
std::string write_items(const std::filesystem::path& dir, int count, const std::string& prefix = "i");

struct collected {
  std::size_t lines = 0;
  std::map<std::size_t, int> per_index;            // index -> records for it
  std::map<std::string, std::size_t> per_outcome;  // outcome -> records
  std::vector<std::string> dead_errors;            // "error" of records that were dead-lettered
};
// `serentak job collect TARGET -o dir/collected.jsonl` and the count of what it wrote.
collected collect(const std::string& target, const std::filesystem::path& dir);

// How many records job NAME has (its records hash's length).
std::size_t records(const redis_server& redis, const std::string& name);
// How many items job NAME's stream holds (an entry holds one or several: its "item" fields), as a string
// ("2500"), the way XLEN counted entries when each held one.
std::string stream_items(const redis_server& redis, const std::string& name);
// How many times the item at `index` of job NAME has been delivered: the delivery count of the pending
// entry that holds it, plus the deliveries it had before a reclaim split it out ("d"); 0 when no
// pending entry holds it.
long long item_deliveries(const redis_server& redis, const std::string& name, std::size_t index);
// Waits (at most `timeout`) until job NAME has at least `count` records.
bool wait_for_records(const redis_server& redis, const std::string& name, std::size_t count,
                      std::chrono::milliseconds timeout);

}  // namespace serentak::testing
