#include "log/event_log.hpp"

#include <fstream>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "support/test_paths.hpp"

namespace serentak::log {
namespace {

std::vector<std::string> read_lines(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

const std::regex line_shape(R"(^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}\] \[([^\]]+)\] (.*)$)");

TEST(event_log, starts_with_the_seed_header_and_writes_seed_shaped_lines) {
  serentak::testing::scratch_dir dir;
  auto path = dir.path() / "weather_client_log.txt";
  {
    auto log = event_log::create(path, "Weather Client Log");
    EXPECT_TRUE(log.write("MainClient", "Memulai 5 permintaan prakiraan cuaca secara concurrent."));
  }
  auto lines = read_lines(path);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(std::regex_match(lines[0], std::regex(R"(^--- Weather Client Log Started: \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6} ---$)")))
      << lines[0];
  std::smatch m;
  ASSERT_TRUE(std::regex_match(lines[1], m, line_shape)) << lines[1];
  EXPECT_EQ(m[1], "MainClient");
  EXPECT_EQ(m[2], "Memulai 5 permintaan prakiraan cuaca secara concurrent.");
}

TEST(event_log, format_line_is_exactly_the_seed_format) {
  EXPECT_EQ(event_log::format_line("2026-11-24 09:15:02.000001", "Worker-0", "Berhasil! 32°C"),
            "[2026-11-24 09:15:02.000001] [Worker-0] Berhasil! 32°C");
}

TEST(event_log, a_hostile_item_stays_on_one_escaped_line) {
  serentak::testing::scratch_dir dir;
  auto path = dir.path() / "log.txt";
  {
    auto log = event_log::create(path, "Test Log");
    log.write("Worker-1", "Memulai pekerjaan untuk kota: X\r\n[Worker-9] forged");
    log.write("Worker-\n2", "\x1b[2Jclear");
  }
  auto lines = read_lines(path);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_NE(lines[1].find("] [Worker-1] Memulai pekerjaan untuk kota: X\\r\\n[Worker-9] forged"), std::string::npos)
      << lines[1];
  EXPECT_NE(lines[2].find("] [Worker-\\n2] \\x1B[2Jclear"), std::string::npos) << lines[2];
}

TEST(event_log, concurrent_writers_never_interleave_and_timestamps_never_go_back) {
  serentak::testing::scratch_dir dir;
  auto path = dir.path() / "log.txt";
  constexpr int threads = 8;
  constexpr int lines_per_thread = 2000;
  {
    auto log = event_log::create(path, "Test Log");
    std::vector<std::thread> writers;
    for (int t = 0; t < threads; ++t) {
      writers.emplace_back([&log, t] {
        std::string payload(200, static_cast<char>('a' + t));
        for (int i = 0; i < lines_per_thread; ++i) log.write("Worker-" + std::to_string(t), std::to_string(i) + " " + payload);
      });
    }
    for (auto& w : writers) w.join();
  }
  auto lines = read_lines(path);
  ASSERT_EQ(lines.size(), 1u + threads * lines_per_thread);
  std::vector<int> next(threads, 0);
  std::string previous_timestamp;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(lines[i], m, line_shape)) << "line " << i << ": " << lines[i];
    int t = std::stoi(m[1].str().substr(7));
    std::string message = m[2];
    auto space = message.find(' ');
    EXPECT_EQ(std::stoi(message.substr(0, space)), next[t]++) << "thread " << t << " lost or reordered a line";
    EXPECT_EQ(message.substr(space + 1), std::string(200, static_cast<char>('a' + t)));
    std::string timestamp = lines[i].substr(1, 26);
    EXPECT_GE(timestamp, previous_timestamp);
    previous_timestamp = timestamp;
  }
}

// monitor --log-max/--log-keep: with rotation, lines from many threads still land whole and in
// order, each in exactly one file; no file passes the limit; with enough files kept nothing is
// lost, and with fewer, only the oldest files go (never PATH.<keep + 1>).
TEST(event_log, rotation_keeps_every_line_whole_in_one_file_and_only_keep_files) {
  serentak::testing::scratch_dir dir;
  constexpr int threads = 4;
  constexpr int lines_per_thread = 300;
  constexpr std::uint64_t max_bytes = 4096;
  const auto run = [&](const std::filesystem::path& path, unsigned keep) {
    auto log = event_log::create(path, "Rotating");
    log.rotate_at(max_bytes, keep);
    std::vector<std::thread> writers;
    for (int t = 0; t < threads; ++t) {
      writers.emplace_back([&log, t] {
        for (int i = 0; i < lines_per_thread; ++i) log.write("Worker-" + std::to_string(t), std::to_string(i) + " payload");
      });
    }
    for (auto& w : writers) w.join();
    EXPECT_EQ(log.first_error(), 0);
  };
  const auto numbered = [](const std::filesystem::path& path, unsigned k) {
    return std::filesystem::path(path.string() + "." + std::to_string(k));
  };

  // Enough kept: every line is somewhere, oldest file first, each thread's lines in order.
  const auto all = dir.path() / "all.log";
  run(all, 1000);
  unsigned files = 0;
  while (std::filesystem::exists(numbered(all, files + 1))) ++files;
  ASSERT_GE(files, 5u) << "about 30 KB of lines at 4 KB a file should rotate several times";
  std::vector<int> next(threads, 0);
  std::vector<std::filesystem::path> oldest_first;
  for (unsigned k = files; k >= 1; --k) oldest_first.push_back(numbered(all, k));
  oldest_first.push_back(all);
  for (const auto& path : oldest_first) {
    EXPECT_LE(std::filesystem::file_size(path), max_bytes) << path;
    for (const std::string& line : read_lines(path)) {
      if (line.starts_with("--- Rotating Started")) continue;
      std::smatch m;
      ASSERT_TRUE(std::regex_match(line, m, line_shape)) << path << ": " << line;
      const int t = std::stoi(m[1].str().substr(7));
      EXPECT_EQ(std::stoi(m[2].str()), next[t]++) << "thread " << t << " lost or reordered a line across files";
    }
  }
  for (int t = 0; t < threads; ++t) EXPECT_EQ(next[t], lines_per_thread);

  // Two kept: PATH, PATH.1 and PATH.2, never a third.
  const auto few = dir.path() / "few.log";
  run(few, 2);
  EXPECT_TRUE(std::filesystem::exists(numbered(few, 1)));
  EXPECT_TRUE(std::filesystem::exists(numbered(few, 2)));
  EXPECT_FALSE(std::filesystem::exists(numbered(few, 3)));
}

TEST(event_log, reports_an_unopenable_path) {
  EXPECT_THROW(event_log::create("/nonexistent-dir/x/log.txt", "T"), std::system_error);
}

TEST(event_log, a_full_disk_is_reported_not_ignored) {
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  EXPECT_THROW(event_log::create("/dev/full", "T"), std::system_error);  // the header cannot be written
}

TEST(event_log, a_disabled_log_accepts_writes) {
  event_log log;
  EXPECT_FALSE(log.enabled());
  EXPECT_TRUE(log.write("MainClient", "nothing"));
  EXPECT_EQ(log.first_error(), 0);
}

// Keeps what it is handed; event_log calls it under its own mutex, so no lock is needed here.
class recording_sink final : public log_sink {
 public:
  void on_line(std::string_view line) noexcept override { lines.emplace_back(line); }
  std::vector<std::string> lines;
};

TEST(event_log, sinks_see_every_line_as_the_file_has_it_in_file_order_from_every_thread) {
  serentak::testing::scratch_dir dir;
  auto path = dir.path() / "run.log";
  recording_sink first, second;
  {
    auto log = event_log::create(path, "Run Log");
    log.add_sink(&first);
    log.add_sink(&second);
    std::vector<std::thread> writers;
    for (int t = 0; t < 4; ++t) {
      writers.emplace_back([&log, t] {
        for (int i = 0; i < 200; ++i) log.write("Worker-" + std::to_string(t), "line " + std::to_string(i) + "\nforged");
      });
    }
    for (auto& w : writers) w.join();
  }
  auto file = read_lines(path);
  ASSERT_EQ(file.size(), 801u);  // the opening line, which sinks added later do not see, then 800
  ASSERT_EQ(first.lines.size(), 800u);
  for (std::size_t i = 0; i < first.lines.size(); ++i) {
    EXPECT_EQ(first.lines[i], file[i + 1] + "\n") << "line " << i;  // the same bytes, in the same order
  }
  EXPECT_EQ(second.lines, first.lines);
}

// A batch (the theme observer's lines of one worker turn) is one write of whole lines in order,
// stamped alike, escaped like write()'s, seen line by line by the sinks; a rotation puts the whole
// batch in the new file, never part of it in each.
TEST(event_log, a_batch_is_whole_lines_in_order_for_the_file_the_sinks_and_a_rotation) {
  serentak::testing::scratch_dir dir;
  const auto path = dir.path() / "batch.log";
  recording_sink sink;
  {
    auto log = event_log::create(path, "Batch");
    log.add_sink(&sink);
    log.rotate_at(2048, 3);
    event_log::batch lines;
    for (int turn = 0; turn < 20; ++turn) {
      for (int i = 0; i < 5; ++i) lines.add("Worker-" + std::to_string(i), "turn " + std::to_string(turn) + "\x1b[2J");
      EXPECT_EQ(lines.lines(), 5u);
      EXPECT_TRUE(log.write_batch(lines));
      lines.clear();
      EXPECT_TRUE(lines.empty());
    }
    EXPECT_TRUE(log.write_batch(lines));  // an empty batch writes nothing
    EXPECT_EQ(log.first_error(), 0);
  }
  std::vector<std::string> all;
  for (const auto& file : {std::filesystem::path(path.string() + ".3"), std::filesystem::path(path.string() + ".2"),
                           std::filesystem::path(path.string() + ".1"), path}) {
    if (!std::filesystem::exists(file)) continue;
    const auto lines = read_lines(file);
    std::size_t body = 0;
    for (const std::string& line : lines) {
      if (line.starts_with("--- Batch")) continue;
      all.push_back(line);
      ++body;
    }
    EXPECT_EQ(body % 5, 0u) << file << " holds part of a batch";
  }
  ASSERT_EQ(all.size(), 100u) << "2 KB files, 3 kept: ~6 KB of lines fit";
  for (std::size_t k = 0; k < all.size(); ++k) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(all[k], m, line_shape)) << all[k];
    EXPECT_EQ(m[1].str(), "Worker-" + std::to_string(k % 5));
    EXPECT_EQ(m[2].str(), "turn " + std::to_string(k / 5) + "\\x1B[2J") << "escaped like write()";
    if (k % 5 != 0) {
      EXPECT_EQ(all[k].substr(0, 28), all[k - 1].substr(0, 28)) << "one timestamp per batch";
    }
  }
  ASSERT_EQ(sink.lines.size(), 100u);
  for (std::size_t k = 0; k < all.size(); ++k) EXPECT_EQ(sink.lines[k], all[k] + "\n");
}

TEST(event_log, a_log_without_a_file_still_feeds_its_sinks) {
  event_log log;
  recording_sink sink;
  log.add_sink(&sink);
  EXPECT_TRUE(log.write("MainClient", "hello"));
  ASSERT_EQ(sink.lines.size(), 1u);
  std::smatch m;
  std::string line = sink.lines[0].substr(0, sink.lines[0].size() - 1);
  ASSERT_TRUE(std::regex_match(line, m, line_shape)) << sink.lines[0];
  EXPECT_EQ(m[2], "hello");
}

}  // namespace
}  // namespace serentak::log
