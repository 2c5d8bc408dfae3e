// What `job status` prints: a worker's numbers stay in one column whatever its name's length; the
// workers gone are one line.
#include "queue/job_admin.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace serentak::queue {
namespace {

std::vector<std::string> worker_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.find(" records ") != std::string::npos) lines.push_back(line);
  }
  return lines;
}

TEST(job_status_text, worker_numbers_line_up_when_a_name_is_longer_than_the_usual_column) {
  job_status status;
  status.pushed = 10;
  status.total = 10;
  status.workers = {{"a-rather-long-build-host.example.internal:4242:0a1b2c", 7, 1, 20, 1, worker_state::active},
                    {"h:1:abcdef", 3, 0, 50, 0, worker_state::active}};
  auto lines = worker_lines(status_text(status, std::nullopt));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find("a-rather-long-build-host.example.internal:4242:0a1b2c records"), std::string::npos)
      << lines[0];
  EXPECT_EQ(lines[0].find(" records "), lines[1].find(" records ")) << lines[0] << "\n" << lines[1];
  EXPECT_EQ(lines[0].find("in flight"), lines[1].find("in flight"));
}

TEST(job_status_text, a_worker_name_a_server_sent_with_control_characters_is_escaped) {
  job_status status;
  status.workers = {{"evil\x1b[2J:1:000000", 1, 0, 20, 0, worker_state::active}};
  auto lines = worker_lines(status_text(status, std::nullopt));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].find('\x1b'), std::string::npos) << lines[0];
}

// A long job's restarts add a worker each: those gone are one line, so the list stays as long as the
// workers that are running or still hold items.
TEST(job_status_text, gone_workers_are_summed_in_one_line_and_an_unresponsive_one_says_for_how_long) {
  job_status status;
  status.workers = {{"h:1:aaaaaa", 5, 16, 100, 1, worker_state::active},
                    {"h:2:bbbbbb", 7, 3, 42'400, 1, worker_state::unresponsive},
                    {"h:3:cccccc", 11, 0, std::nullopt, 0, worker_state::gone},
                    {"h:4:dddddd", 13, 0, 900'000, 0, worker_state::gone}};
  const std::string text = status_text(status, std::nullopt);
  EXPECT_NE(text.find("workers    1 active, 1 unresponsive, 2 gone\n"), std::string::npos) << text;
  auto lines = worker_lines(text);
  ASSERT_EQ(lines.size(), 2u) << text;
  EXPECT_EQ(lines[0].find("h:1:aaaaaa"), 2u) << lines[0];
  EXPECT_EQ(lines[0].find("unresponsive"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("in flight      3  unresponsive 42 s"), std::string::npos) << lines[1];
  EXPECT_NE(text.find("\n  2 gone (exited, or silent past the lease and holding nothing): 24 records\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("h:3:"), std::string::npos) << text;

  status.workers.resize(1);
  EXPECT_NE(status_text(status, std::nullopt).find("workers    1 active\n"), std::string::npos);
  status.workers.clear();
  EXPECT_NE(status_text(status, std::nullopt).find("workers    0 active\n"), std::string::npos);
}

}  // namespace
}  // namespace serentak::queue
