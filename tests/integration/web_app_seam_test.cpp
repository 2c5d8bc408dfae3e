// server/http/web_app.hpp: the seam through which the dashboard answers a server's requests. A
// request the app says it answers slowly (the history route's database read) is answered on the
// server's render thread, so the other connections of the same I/O thread are served meanwhile.
#include "server/http/web_app.hpp"

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

// /slow blocks its caller (as a cold database read might) until the test lets it go; /fast
// answers at once.
class slow_and_fast_app final : public web_app {
 public:
  app_answer answer(const app_request& request) override {
    app_answer answer;
    if (request.target == "/slow") {
      slow_entered.set_value();
      release.get_future().wait_for(10s);  // bounded: a broken test never hangs
      answer.plan.body = "slow\n";
    } else {
      answer.plan.body = "fast\n";
    }
    return answer;
  }
  bool answers_slowly(const app_request& request) const override { return request.target == "/slow"; }
  void adopt(boost::asio::ip::tcp::socket, const app_request&, connection_registry&) override {}

  std::promise<void> slow_entered;
  std::promise<void> release;
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
    return client.read_response(15s);
  });
  ASSERT_EQ(app->slow_entered.get_future().wait_for(10s), std::future_status::ready) << "/slow never began";

  // While /slow is inside answer(), /fast is answered: it does not wait for the release.
  testing::raw_client fast(server.port());
  fast.send_all("GET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
  const std::string fast_response = fast.read_response(5s);
  app->release.set_value();
  EXPECT_NE(fast_response.find("fast"), std::string::npos) << "the fast request waited for the slow answer";

  const std::string slow_response = slow.get();
  EXPECT_NE(slow_response.find("200"), std::string::npos);
  EXPECT_NE(slow_response.find("slow"), std::string::npos);
  server.stop();
}

}  // namespace
}  // namespace serentak::server
