#pragma once
// A work_source over streamed inputs: hands out items in input order with their index and URL,
// dropping repeats with --dedupe and items a resumed results file already holds (matched by item
// and URL, as recorded: redacted), and nothing more once the results file has failed.
// Thread safety: next() is called by every engine worker; stream_mutex_ guards the stream, the
// index counter and the queries of the dedupe set (item_set has no lock of its own). The lock is
// held for one item's bookkeeping, not for I/O beyond one 64 KiB read every few thousand items and,
// with --dedupe, one short pread(2) per repeat (read back to compare it exactly).

#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

#include "client/engine/engine.hpp"
#include "client/inputs/item_inputs.hpp"
#include "client/inputs/item_set.hpp"
#include "client/outputs/results_file.hpp"
#include "client/outputs/resume_index.hpp"
#include "core/url_template.hpp"

namespace serentak::client {

class stream_source final : public work_source {
 public:
  // distinct: with --dedupe, the set the scan built over these parts (outliving this source): an
  // item is handed out only at its first place. nullptr: every item.
  stream_source(std::vector<input_part>& parts, std::size_t max_line_bytes, url_template urls, item_set* distinct);

  // --resume: skip items whose current record in resumed is final (refetch_transient: not a
  // transient failure, see is_transient_record), or any record (refetch_transient false).
  void resume_from(const resume_index* resumed, result_format format, bool refetch_transient) noexcept {
    resumed_ = resumed;
    format_ = format;
    refetch_transient_ = refetch_transient;
  }
  // Stop handing out items once results has failed: its file can take no more records.
  void attach_results(const results_file* results) noexcept { results_ = results; }
  // Stop handing out items once stop is set (a signal). Looked at between items too: a resumed run
  // skips done items inside one next() call, a million of them for a finished file.
  void attach_stop(const std::atomic<bool>* stop) noexcept { stop_ = stop; }

  std::optional<fetch_request> next() override;

  std::size_t skipped_done() const;       // items skipped because the results file had them
  std::size_t refetched() const;          // items fetched again: their record was a transient failure
  std::size_t skipped_duplicates() const;  // items dropped by --dedupe

 private:
  mutable std::mutex stream_mutex_;  // guards everything below
  item_stream stream_;
  url_template urls_;
  item_set* distinct_;  // queried under stream_mutex_
  const resume_index* resumed_ = nullptr;
  result_format format_ = result_format::jsonl;
  bool refetch_transient_ = true;
  const results_file* results_ = nullptr;
  const std::atomic<bool>* stop_ = nullptr;
  std::size_t next_index_ = 0;
  std::size_t skipped_done_ = 0;
  std::size_t refetched_ = 0;
  std::size_t skipped_duplicates_ = 0;
};

}  // namespace serentak::client
