// server/http/web_app.hpp: the seam through which the dashboard answers a server's requests. A
// request the app says it answers slowly (the history route's database read) is answered on the
// server's render thread, so the other connections of the same I/O thread are served meanwhile.
#include "server/http/web_app.hpp"

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "server/http/mock_server.hpp"
#include "server/routes/response_plan.hpp"
#include "support/raw_client.hpp"

namespace serentak::server {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

// /slow blocks its caller for 800 ms (as a cold database read might); /fast answers at once.
class slow_and_fast_app final : public web_app {
 public:
  app_answer answer(const app_request& request) override {
    app_answer answer;
    if (request.target == "/slow") {
      std::this_thread::sleep_for(800ms);
      answer.plan.body = "slow\n";
      ++slow_answers;
    } else {
      answer.plan.body = "fast\n";
    }
    return answer;
  }
  bool answers_slowly(const app_request& request) const override { return request.target == "/slow"; }
  void adopt(boost::asio::ip::tcp::socket, const app_request&, connection_registry&) override {}

  std::atomic<int> slow_answers{0};
};

TEST(web_app_seam, a_slow_answer_does_not_hold_up_the_other_connections_of_its_io_thread) {
  auto app = std::make_shared<slow_and_fast_app>();
  server_config config;
  config.port = 0;
  config.quiet = true;
  config.threads = 1;  // one I/O thread: a blocking answer on it would stall every connection
  config.app = app;
  mock_server server(config);
  server.start();

  auto slow = std::async(std::launch::async, [&] {
    testing::raw_client client(server.port());
    client.send_all("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
    return client.read_response(5s);
  });
  std::this_thread::sleep_for(150ms);  // the slow answer has begun
  testing::raw_client fast(server.port());
  const auto asked = clock_type::now();
  fast.send_all("GET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
  const std::string fast_response = fast.read_response(5s);
  const auto took = clock_type::now() - asked;

  EXPECT_NE(fast_response.find("fast"), std::string::npos);
  EXPECT_LT(took, 400ms) << "the fast request waited for the slow answer";
  const std::string slow_response = slow.get();
  EXPECT_NE(slow_response.find("200"), std::string::npos);
  EXPECT_NE(slow_response.find("slow"), std::string::npos);
  EXPECT_EQ(app->slow_answers.load(), 1);
  server.stop();
}

}  // namespace
}  // namespace serentak::server
