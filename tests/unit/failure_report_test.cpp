#include "cli/failure_report.hpp"

#include <algorithm>
#include <vector>

#include <gtest/gtest.h>

#include "client/outputs/failure_digest.hpp"

namespace serentak::cli {
namespace {

using client::failure_digest;

void add(failure_digest& digest, run_summary& summary, std::size_t index, std::string url, outcome kind, long status,
         std::string error) {
  digest.add(index, "item" + std::to_string(index), url, kind, status, error);
  summary.add(kind, 1, std::chrono::microseconds(1000));
}

TEST(url_host, is_the_authority_without_userinfo) {
  EXPECT_EQ(client::url_host("http://127.0.0.1:5000/p?id=1"), "127.0.0.1:5000");
  EXPECT_EQ(client::url_host("https://***@example.org?x"), "example.org");
  EXPECT_EQ(client::url_host("http://[::1]:80#f"), "[::1]:80");
}

TEST(failure_report, says_nothing_when_every_item_is_ok) {
  failure_digest digest;
  run_summary summary;
  add(digest, summary, 0, "http://h:1/a", outcome::ok, 200, "");
  EXPECT_EQ(render_failure_report(summary, digest, {}), "");
}

TEST(failure_report, counts_lists_ten_and_points_at_the_log_for_the_rest) {
  failure_digest digest;
  run_summary summary;
  add(digest, summary, 0, "http://h:1/ok", outcome::ok, 200, "");
  for (std::size_t i = 1; i <= 12; ++i) add(digest, summary, i, "http://h:1/x", outcome::not_found, 404, "");
  add(digest, summary, 13, "http://h:1/t", outcome::timeout, 0, "Timeout was reached");
  std::string report = render_failure_report(summary, digest, {themes::language::en, "run.log", false});
  EXPECT_TRUE(report.starts_with("13 of 14 items did not succeed: not_found 12, timeout 1\n")) << report;
  EXPECT_NE(report.find("  Worker-1 item1: not_found (status 404)\n"), std::string::npos) << report;
  EXPECT_NE(report.find("  and 3 more, see run.log\n"), std::string::npos) << report;
  EXPECT_EQ(report.find("Worker-13"), std::string::npos) << "only the first 10 are listed";
  EXPECT_EQ(report.find("nothing listens"), std::string::npos) << "h:1 answered some requests";
}

TEST(failure_report, a_host_that_refused_every_connection_gets_its_likely_cause_in_both_languages) {
  failure_digest digest;
  run_summary summary;
  add(digest, summary, 0, "http://127.0.0.1:5000/a", outcome::connection_error, 0,
      "Failed to connect to 127.0.0.1 port 5000 after 0 ms: Connection refused");
  add(digest, summary, 1, "http://127.0.0.1:5000/b", outcome::connection_error, 0, "Connection refused");
  std::string en = render_failure_report(summary, digest, {themes::language::en, "", true});
  EXPECT_TRUE(en.starts_with("2 of 2 items did not succeed: connection_error 2\n")) << en;
  EXPECT_NE(en.find("nothing listens on 127.0.0.1:5000: is the server running? (serentak serve)\n"), std::string::npos)
      << en;
  std::string id = render_failure_report(summary, digest, {themes::language::id, "", true});
  EXPECT_TRUE(id.starts_with("2 dari 2 item tidak berhasil: connection_error 2\n")) << id;
  EXPECT_NE(id.find("tidak ada yang mendengarkan di 127.0.0.1:5000"), std::string::npos) << id;
}

TEST(failure_report, one_item_is_singular_and_hostile_text_is_escaped) {
  failure_digest digest;
  run_summary summary;
  digest.add(0, "a\x1b[2Jb", "http://h:1/a", outcome::server_error, 500, "");
  summary.add(outcome::server_error, 1, std::chrono::microseconds(10));
  std::string report = render_failure_report(summary, digest, {themes::language::en, "log.txt", false});
  EXPECT_TRUE(report.starts_with("1 of 1 item did not succeed: server_error 1\n")) << report;
  EXPECT_EQ(report.find('\x1b'), std::string::npos) << report;
}

TEST(failure_digest, keeps_the_lowest_indexes_whatever_the_finishing_order) {
  failure_digest digest(3);
  for (std::size_t index : {9, 4, 7, 1, 8, 0, 5}) digest.add(index, "x", "http://h/", outcome::timeout, 0, "");
  std::vector<std::size_t> kept;
  for (const auto& failed : digest.first_failures()) kept.push_back(failed.index);
  std::sort(kept.begin(), kept.end());
  EXPECT_EQ(kept, (std::vector<std::size_t>{0, 1, 4}));
  EXPECT_EQ(digest.failures(), 7u);
}

TEST(failure_digest, keeps_what_it_was_told_and_counts_the_rest) {
  failure_digest digest(2);
  for (std::size_t i = 0; i < 5; ++i) digest.add(i, "x", "http://h/", outcome::timeout, 0, "t");
  EXPECT_EQ(digest.first_failures().size(), 2u);
  EXPECT_EQ(digest.failures(), 5u);
  ASSERT_EQ(digest.hosts().size(), 1u);
  EXPECT_EQ(digest.hosts()[0].finished, 5u);
  EXPECT_EQ(digest.hosts()[0].connect_failed, 0u);
  for (std::size_t i = 0; i < 100; ++i) digest.add(i, "x", "http://h" + std::to_string(i) + "/", outcome::ok, 200, "");
  EXPECT_EQ(digest.hosts().size(), failure_digest::max_hosts) << "bounded";
}

}  // namespace
}  // namespace serentak::cli
