// A stop signal during --resume: reading the results file, skipping the items it already holds, or
// compacting it at the end. Each looked at the signal only once it was done, so a finished
// million-record file held a SIGTERM for ten seconds and more (eleven in a release build). Now each
// stops within one 64 KiB read or 1,024 skipped items, and leaves the file as it was.
#include <atomic>
#include <fstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "client/inputs/stream_source.hpp"
#include "client/outputs/resume_index.hpp"
#include "support/file_text.hpp"
#include "support/test_paths.hpp"

namespace serentak::client {
namespace {

constexpr std::size_t done_items = 5000;

// A results file whose every item has a final record (404), and those items on the command line.
struct finished_run {
  finished_run() : path(dir.path() / "out.jsonl") {
    results_spec spec;
    spec.url = "http://127.0.0.1:9/p?id={}";
    spec.theme = "fetch";
    std::string text = results_preamble(spec, result_format::jsonl);
    for (std::size_t i = 0; i < done_items; ++i) {
      items.push_back("i" + std::to_string(i));
      const std::string url = "http://127.0.0.1:9/p?id=" + items.back();
      result_record record;
      record.index = i;
      record.item = items.back();
      record.url = url;
      record.kind = outcome::not_found;
      record.http_status = 404;
      record.attempts = 1;
      text += format_record(record, result_format::jsonl);
    }
    testing::write_file(path, text);
    fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  }
  ~finished_run() { ::close(fd); }
  finished_run(const finished_run&) = delete;
  finished_run& operator=(const finished_run&) = delete;

  testing::scratch_dir dir;
  std::filesystem::path path;
  std::vector<std::string> items;
  int fd = -1;
};

TEST(resume_stop, reading_the_results_file_stops_at_the_signal_and_changes_nothing) {
  finished_run run;
  ASSERT_GE(run.fd, 0);
  std::atomic<bool> stop{false};
  EXPECT_EQ(resume_index::scan(run.fd, run.path, result_format::jsonl, &stop).records(), done_items);
  stop = true;
  const std::string before = testing::read_file(run.path);
  EXPECT_THROW(resume_index::scan(run.fd, run.path, result_format::jsonl, &stop), input_interrupted);
  EXPECT_EQ(testing::read_file(run.path), before);
}

TEST(resume_stop, skipping_the_items_the_file_holds_stops_at_the_signal) {
  finished_run run;
  ASSERT_GE(run.fd, 0);
  resume_index index = resume_index::scan(run.fd, run.path, result_format::jsonl);
  std::vector<input_part> parts(1);
  parts[0].items = run.items;
  std::atomic<bool> stop{false};
  {
    stream_source source(parts, 64 * 1024, url_template("", "http://127.0.0.1:9/p?id={}", false), nullptr);
    source.resume_from(&index, result_format::jsonl, true);
    source.attach_stop(&stop);
    EXPECT_FALSE(source.next().has_value()) << "every item has a final record";
    EXPECT_EQ(source.skipped_done(), done_items);
  }
  stop = true;
  stream_source stopped(parts, 64 * 1024, url_template("", "http://127.0.0.1:9/p?id={}", false), nullptr);
  stopped.resume_from(&index, result_format::jsonl, true);
  stopped.attach_stop(&stop);
  EXPECT_FALSE(stopped.next().has_value());
  EXPECT_LT(stopped.skipped_done(), 1024U) << "the signal is looked at every 1,024 items, not after all of them";
}

TEST(resume_stop, a_compaction_stopped_by_the_signal_leaves_the_file_and_no_temporary) {
  finished_run run;
  ASSERT_GE(run.fd, 0);
  // Another spec line makes the compaction rewrite the file (it rewrites only when something changes).
  results_spec current;
  current.url = "http://127.0.0.1:9/p?id={}";
  current.theme = "fetch";
  current.headers = {"X-Trace"};
  std::atomic<bool> stop{true};
  resume_index index = resume_index::scan(run.fd, run.path, result_format::jsonl);
  const std::string before = testing::read_file(run.path);
  int now = -1;
  EXPECT_THROW(index.compact(current, &now, &stop), input_interrupted);
  EXPECT_EQ(testing::read_file(run.path), before);
  std::filesystem::path temp = run.path;
  temp += ".serentak-compact";
  EXPECT_FALSE(std::filesystem::exists(temp));
  stop = false;
  resume_index again = resume_index::scan(run.fd, run.path, result_format::jsonl);
  EXPECT_EQ(again.compact(current, &now, &stop).items(), done_items) << "and a later one completes it";
  EXPECT_NE(now, run.fd);
  ::close(now);
}

}  // namespace
}  // namespace serentak::client
