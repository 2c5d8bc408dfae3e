// Issue 13, point 4: the transport contract (client/transport/transport.hpp), kept the same by
// libcurl's transport and the native one. Each test drives one transport directly, as a worker
// does: start a slot's attempt, wait on the socket_poller until the transport's next deadline,
// expire, take what finished; against the real mock server on loopback.
#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include <gtest/gtest.h>

#include "client/engine/transfer.hpp"
#include "client/transport/curl/curl_transport.hpp"
#include "client/transport/native/native_client.hpp"
#include "client/transport/socket_poller.hpp"
#include "support/running_server.hpp"
#include "support/transport_param.hpp"

namespace serentak {
namespace {

using namespace std::chrono_literals;
using client::ended_attempt;
using client::fetch_policy;
using client::fetch_request;
using client::transfer;
using client::transport;
using client::transport_route;
using clock_type = std::chrono::steady_clock;

class transport_contract : public testing::transport_test {
 protected:
  void SetUp() override {
    transport_test::SetUp();
    policy_.timeout = 5s;
    if (GetParam() == client::transport_choice::curl) {
      transport_ = std::make_unique<client::curl_transport>(poller_, policy_, 4);
    } else {
      transport_ = std::make_unique<client::native_client>(poller_, policy_, 4);
    }
  }

  // Prepares slot for url and starts it on the transport under test; the route is what
  // route_request gives for this transport (the native target parsed from the URL).
  std::string start(transfer& slot, const std::string& url) {
    slot.prepare(fetch_request{0, "item", url}, policy_, 1, {});
    transport_route route = client::route_request(GetParam(), url, false, false, policy_.request);
    EXPECT_NE(route.how, transport_route::kind::refuse) << route.refusal;
    return transport_->start(slot, std::move(route));
  }

  // One worker round after another, until something ended or `limit` passed: wait on the poller
  // until the transport's next deadline (at most 50 ms), expire, take. Returns what ended.
  std::vector<ended_attempt> run_until_ended(std::chrono::milliseconds limit) {
    std::vector<ended_attempt> ended;
    ended.reserve(4);  // the contract: room for every attempt that can be running
    const auto give_up = clock_type::now() + limit;
    while (ended.empty() && clock_type::now() < give_up) {
      auto deadline = std::min(clock_type::now() + 50ms, give_up);
      if (const auto due = transport_->next_deadline()) deadline = std::min(deadline, *due);
      poller_.wait(deadline);
      transport_->expire(clock_type::now());
      transport_->take_finished(ended);
    }
    return ended;
  }

  fetch_policy policy_;
  client::socket_poller poller_;
  std::unique_ptr<transport> transport_;
};

TEST_P(transport_contract, an_attempt_started_is_taken_finished_with_the_servers_answer) {
  testing::running_server server(0.0);
  transfer slot;
  ASSERT_EQ(start(slot, server.base_url() + "/status/ok"), "");
  EXPECT_NE(slot.running(), transfer::carrier::none);
  EXPECT_TRUE(transport_->next_deadline().has_value()) << "a running attempt has a deadline";

  const auto ended = run_until_ended(5s);
  ASSERT_EQ(ended.size(), 1U);
  EXPECT_EQ(ended[0].slot, &slot);
  EXPECT_EQ(ended[0].result.kind, outcome::ok) << ended[0].result.error;
  EXPECT_EQ(ended[0].result.http_status, 200);
  EXPECT_NE(ended[0].result.body.find("Service is running normally."), std::string::npos);
  EXPECT_EQ(ended[0].result.attempts, 1);
  EXPECT_GT(ended[0].result.latency.count(), 0);
  EXPECT_EQ(slot.running(), transfer::carrier::none);
}

TEST_P(transport_contract, the_same_slot_carries_a_second_attempt_after_the_first_was_taken) {
  testing::running_server server(0.0);
  transfer slot;
  for (int round = 0; round < 2; ++round) {
    ASSERT_EQ(start(slot, server.base_url() + "/status/error"), "");
    const auto ended = run_until_ended(5s);
    ASSERT_EQ(ended.size(), 1U) << "round " << round;
    EXPECT_EQ(ended[0].result.http_status, 500);
    EXPECT_EQ(ended[0].result.kind, outcome::server_error);
  }
}

TEST_P(transport_contract, a_cancelled_attempt_is_never_taken_even_after_its_answer_was_due) {
  testing::running_server server(1.0);  // /status/slow answers after 2-3 s
  transfer slot;
  ASSERT_EQ(start(slot, server.base_url() + "/status/slow"), "");
  run_until_ended(100ms);  // sent, waiting for the answer
  transport_->cancel(slot);
  EXPECT_TRUE(run_until_ended(3500ms).empty()) << "the cancelled attempt came back when its answer was due";

  transfer next;  // the transport goes on: another attempt is taken as usual
  ASSERT_EQ(start(next, server.base_url() + "/status/ok"), "");
  const auto ended = run_until_ended(5s);
  ASSERT_EQ(ended.size(), 1U);
  EXPECT_EQ(ended[0].slot, &next);
}

TEST_P(transport_contract, the_attempts_deadline_is_next_and_ends_it_as_a_timeout) {
  testing::running_server server(1.0);
  policy_.timeout = 300ms;
  transfer slot;
  const auto started = clock_type::now();
  ASSERT_EQ(start(slot, server.base_url() + "/status/slow"), "");
  const auto after_start = clock_type::now();
  const auto due = transport_->next_deadline();
  ASSERT_TRUE(due.has_value());
  EXPECT_LE(*due, after_start + 300ms) << "the deadline is no later than the attempt's timeout";

  const auto ended = run_until_ended(3s);
  const auto took = clock_type::now() - started;
  ASSERT_EQ(ended.size(), 1U);
  EXPECT_EQ(ended[0].result.kind, outcome::timeout) << ended[0].result.error;
  EXPECT_GE(took, 290ms);
  EXPECT_LT(took, 1900ms) << "the timeout was acted on when due, not at the server's answer (2-3 s)";
}

TEST_P(transport_contract, a_refused_connect_ends_at_once_as_a_connection_error) {
  transfer slot;
  const auto started = clock_type::now();
  ASSERT_EQ(start(slot, "http://127.0.0.1:" + std::to_string(testing::unused_port()) + "/x"), "");
  const auto ended = run_until_ended(3s);
  ASSERT_EQ(ended.size(), 1U);
  EXPECT_EQ(ended[0].result.kind, outcome::connection_error);
  EXPECT_LT(clock_type::now() - started, 1s);
}

SERENTAK_FOR_EACH_TRANSPORT(transport_contract);

}  // namespace
}  // namespace serentak
