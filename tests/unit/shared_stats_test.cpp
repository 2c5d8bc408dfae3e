// The lock-free pieces of the server's statistics, without sockets: shared_latency_histogram
// reports what core/latency_histogram reports for the same values, and keeps every record made by
// threads at once; label_table gives each label one block, whatever the race, and lists the
// labels in byte order whether they were known up front or not.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "core/latency_histogram.hpp"
#include "server/stats/label_table.hpp"
#include "server/stats/server_stats.hpp"
#include "server/stats/shared_histogram.hpp"

namespace serentak::server {
namespace {

TEST(shared_latency_histogram, summarises_as_latency_histogram_does) {
  shared_latency_histogram shared;
  latency_histogram plain;
  EXPECT_EQ(shared.summary().count, 0u);
  EXPECT_EQ(shared.summary().quantiles[2], 0u);
  std::uint64_t v = 7;
  for (int i = 0; i < 50000; ++i) {
    v = (v * 6364136223846793005ULL + 1442695040888963407ULL);
    std::uint64_t micros = (v >> 33) % (i % 10 == 0 ? 5000000 : 3000);  // a long tail
    shared.record(micros);
    plain.record(micros);
  }
  latency_summary s = shared.summary();
  EXPECT_EQ(s.count, plain.count());
  EXPECT_EQ(s.sum, plain.sum());
  EXPECT_EQ(s.max, plain.max());
  for (std::size_t q = 0; q < summary_quantiles.size(); ++q) {
    EXPECT_EQ(s.quantiles[q], plain.percentile(summary_quantiles[q])) << summary_quantiles[q];
  }
}

TEST(shared_latency_histogram, a_single_value_is_every_quantile) {
  shared_latency_histogram shared;
  shared.record(1234567);
  latency_summary s = shared.summary();
  for (std::uint64_t q : s.quantiles) EXPECT_EQ(q, 1234567u);
  EXPECT_EQ(s.max, 1234567u);
}

TEST(shared_latency_histogram, keeps_every_record_made_by_threads_at_once) {
  shared_latency_histogram shared;
  std::atomic<bool> reading{true};
  std::thread reader([&] {  // summaries taken during the records never see a quantile past max
    while (reading.load()) {
      latency_summary s = shared.summary();
      for (std::uint64_t q : s.quantiles) ASSERT_LE(q, s.max);
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&shared, t] {
      for (std::uint64_t i = 0; i < 100000; ++i) shared.record(i % 1000 + static_cast<std::uint64_t>(t));
    });
  }
  for (auto& w : writers) w.join();
  reading = false;
  reader.join();
  latency_summary s = shared.summary();
  EXPECT_EQ(s.count, 400000u);
  EXPECT_EQ(s.sum, 4 * 100 * 499500u + 100000u * (0 + 1 + 2 + 3));
  EXPECT_EQ(s.max, 999u + 3u);
}

TEST(label_table, one_block_per_label_whatever_the_race) {
  label_table<std::atomic<std::uint64_t>> table({"/b", "/a", "/b"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&table] {
      for (int i = 0; i < 20000; ++i) {
        for (const char* label : {"/a", "/b", "/unknown", "(unmatched)", "/zz"}) {
          table.block(label).fetch_add(1, std::memory_order_relaxed);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  std::vector<std::string> names;
  table.for_each([&names](std::string_view name, const std::atomic<std::uint64_t>& count) {
    names.emplace_back(name);
    EXPECT_EQ(count.load(), 80000u) << name;
  });
  EXPECT_EQ(names, (std::vector<std::string>{"(unmatched)", "/a", "/b", "/unknown", "/zz"}));
}

TEST(label_table, lists_only_labels_that_were_used) {
  label_table<std::atomic<std::uint64_t>> table({"/a", "/b", "/c"});
  table.block("/b");
  int seen = 0;
  table.for_each([&seen](std::string_view name, const auto&) {
    EXPECT_EQ(name, "/b");
    ++seen;
  });
  EXPECT_EQ(seen, 1);
}

TEST(server_stats, a_snapshot_lists_known_and_other_routes_in_order_with_their_statuses) {
  server_stats stats({"/b", "/d", std::string(unmatched_route)});
  const std::pair<const char*, int> finished[] = {{"/d", 200}, {"/c", 503}, {"/b", 0},  {"/b", 999},
                                                  {"/b", 200}, {"", 404},   {"/b", 200}, {"/a", 1000}};
  for (const auto& [route, status] : finished) {
    stats.request_started();
    stats.request_finished(route, status, status == 503 ? "status" : "", std::chrono::microseconds(250));
  }
  stats_snapshot s = stats.snapshot();
  std::vector<std::string> routes;
  for (const auto& [name, counters] : s.routes) routes.push_back(name);
  EXPECT_EQ(routes, (std::vector<std::string>{"(unmatched)", "/a", "/b", "/c", "/d"}));  // "/d": known, never used
  EXPECT_EQ(s.routes.at("/b").by_status, (std::map<int, std::uint64_t>{{0, 1}, {200, 2}, {999, 1}}));
  EXPECT_EQ(s.routes.at("/a").by_status, (std::map<int, std::uint64_t>{{999, 1}}));  // only plan_hook can
  EXPECT_EQ(s.routes.at("/b").latency_us.count, 4u);
  EXPECT_EQ(s.routes.at("/b").latency_us.sum, 1000u);
  EXPECT_EQ(s.routes.at("(unmatched)").by_status.at(404), 1u);
  EXPECT_EQ(s.faults, (std::map<std::string, std::uint64_t, std::less<>>{{"status", 1}}));
  EXPECT_EQ(s.requests_answered, 7u);
  EXPECT_EQ(s.requests_in_flight, 0);
}

}  // namespace
}  // namespace serentak::server
