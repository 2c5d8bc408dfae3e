// What `job status` prints: a worker's numbers stay in one column whatever its name's length.
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
  status.workers = {{"a-rather-long-build-host.example.internal:4242:0a1b2c", 7, 1}, {"h:1:abcdef", 3, 0}};
  auto lines = worker_lines(status_text(status, std::nullopt));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find("a-rather-long-build-host.example.internal:4242:0a1b2c records"), std::string::npos)
      << lines[0];
  EXPECT_EQ(lines[0].find(" records "), lines[1].find(" records ")) << lines[0] << "\n" << lines[1];
  EXPECT_EQ(lines[0].find("in flight"), lines[1].find("in flight"));
}

TEST(job_status_text, a_worker_name_a_server_sent_with_control_characters_is_escaped) {
  job_status status;
  status.workers = {{"evil\x1b[2J:1:000000", 1, 0}};
  auto lines = worker_lines(status_text(status, std::nullopt));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].find('\x1b'), std::string::npos) << lines[0];
}

}  // namespace
}  // namespace serentak::queue
