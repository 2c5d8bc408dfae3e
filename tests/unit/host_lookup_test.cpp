// lookup_host: a stop cuts a slow lookup short (glibc's resolver may wait 10 s and more on a DNS
// server that does not answer); an IP literal and a lookup with no stop to heed run on the caller's
// thread; a lookup given up on finishes alone and frees what it found.
#include "queue/host_lookup.hpp"

#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

namespace serentak::queue {
namespace {

using namespace std::chrono_literals;

std::atomic<int> slow_calls{0};
std::atomic<int> slow_finished{0};

// A resolver whose DNS server does not answer for 1.5 s, then finds the host.
int slow_resolver(const char* host, const char* service, const addrinfo* hints, addrinfo** found) {
  ++slow_calls;
  std::this_thread::sleep_for(1500ms);
  const int rc = ::getaddrinfo("127.0.0.1", service, hints, found);
  (void)host;
  ++slow_finished;
  return rc;
}

std::atomic<std::thread::id> resolved_on{};

int recording_resolver(const char* host, const char* service, const addrinfo* hints, addrinfo** found) {
  resolved_on = std::this_thread::get_id();
  return ::getaddrinfo(host, service, hints, found);
}

TEST(host_lookup, a_stop_cuts_a_slow_lookup_short_and_the_lookup_finishes_alone) {
  std::atomic<bool> stop{false};
  stop_deadline give_up(&stop, 100ms);
  const int finished_before = slow_finished.load();  // another test's slow lookup may have run first
  std::thread stopper([&] {
    std::this_thread::sleep_for(100ms);
    stop = true;
  });
  const auto start = std::chrono::steady_clock::now();
  host_lookup r = lookup_host("redis.example", "6379", &give_up, slow_resolver);
  const auto took = std::chrono::steady_clock::now() - start;
  stopper.join();
  EXPECT_TRUE(r.stopped);
  EXPECT_EQ(r.found, nullptr);
  EXPECT_LT(took, 800ms) << "it waited for the resolver instead of the stop's grace";
  EXPECT_GE(took, 190ms) << "the grace after the stop was not given";
  // The abandoned lookup ends by itself (and frees its addresses: LeakSanitizer would say).
  for (int i = 0; i < 100 && slow_finished.load() == finished_before; ++i) std::this_thread::sleep_for(50ms);
  EXPECT_EQ(slow_finished.load(), finished_before + 1);
}

TEST(host_lookup, a_lookup_with_no_stop_in_sight_returns_the_addresses) {
  std::atomic<bool> stop{false};
  stop_deadline give_up(&stop, 100ms);
  host_lookup r = lookup_host("localhost", "6379", &give_up, slow_resolver);
  EXPECT_FALSE(r.stopped);
  EXPECT_EQ(r.rc, 0);
  ASSERT_NE(r.found, nullptr);
  EXPECT_EQ(r.found->ai_socktype, SOCK_STREAM);
}

TEST(host_lookup, an_ip_literal_or_no_deadline_resolves_on_the_callers_thread) {
  std::atomic<bool> stop{false};
  stop_deadline give_up(&stop, 100ms);
  for (const char* host : {"127.0.0.1", "::1"}) {
    resolved_on = std::thread::id{};
    host_lookup r = lookup_host(host, "6379", &give_up, recording_resolver);
    EXPECT_EQ(r.rc, 0) << host;
    EXPECT_EQ(resolved_on.load(), std::this_thread::get_id()) << host;
  }
  resolved_on = std::thread::id{};
  host_lookup named = lookup_host("localhost", "6379", nullptr, recording_resolver);
  EXPECT_EQ(named.rc, 0);
  EXPECT_EQ(resolved_on.load(), std::this_thread::get_id());
  resolved_on = std::thread::id{};
  host_lookup threaded = lookup_host("localhost", "6379", &give_up, recording_resolver);
  EXPECT_EQ(threaded.rc, 0);
  EXPECT_NE(resolved_on.load(), std::this_thread::get_id()) << "a name with a deadline is looked up on its own thread";
}

}  // namespace
}  // namespace serentak::queue
