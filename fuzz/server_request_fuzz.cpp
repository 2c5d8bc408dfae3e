// Fuzzes the mock server's request handling through its public pieces: raw bytes go through a
// Beast request_parser with the server's limits (server_config's defaults), as a connection's
// pipelined requests; each request read whole goes to the seed router's route(method, target),
// and a refused one to reject(status). Properties: the answer's status is a real HTTP status,
// its access line is exactly one line of printable text (no request byte can forge a second
// "[SERVER]" line), and no response header carries a CR or LF. Kept small on purpose: the
// session itself (timers, sockets) is covered by the integration tests.
// Input: the bytes a client sends on one connection.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "fuzz_check.hpp"
#include "server/http/mock_server.hpp"
#include "server/routes/response_plan.hpp"
#include "server/routes/router.hpp"
#include "themes/theme.hpp"

namespace {

namespace http = boost::beast::http;

constexpr int max_requests = 16;  // per input, like a short keep-alive connection

const serentak::server::router& seed_router() {
  static const serentak::server::router routes(serentak::themes::seed_themes(),
                                               serentak::server::router_options{1, 0.0, true});
  return routes;
}

bool is_one_printable_line(std::string_view line) {
  if (line.empty()) return true;  // no access line at all
  if (line.back() != '\n') return false;
  line.remove_suffix(1);
  for (char ch : line) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F) return false;
  }
  return true;
}

void check_plan(const serentak::server::response_plan& plan) {
  FUZZ_CHECK(plan.status >= 100 && plan.status <= 599);
  FUZZ_CHECK(is_one_printable_line(plan.access_line));
  FUZZ_CHECK(!plan.content_type.empty());
  for (const auto& [name, value] : plan.extra_headers) {
    FUZZ_CHECK(name.find_first_of("\r\n") == std::string::npos);
    FUZZ_CHECK(value.find_first_of("\r\n") == std::string::npos);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const serentak::server::router& routes = seed_router();
  const serentak::server::server_config limits;
  std::string_view rest(reinterpret_cast<const char*>(data), size);

  for (int request = 0; request < max_requests && !rest.empty(); ++request) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits.header_limit_bytes));
    parser.body_limit(limits.body_limit_bytes);
    parser.eager(true);
    boost::beast::error_code ec;
    while (!rest.empty() && !parser.is_done()) {
      std::size_t used = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
      FUZZ_CHECK(used <= rest.size());
      rest.remove_prefix(used);
      if (ec || used == 0) break;
    }
    if (ec == http::error::need_more) return 0;  // the connection would wait for more bytes
    if (ec) {
      int status = ec == http::error::header_limit || ec == http::error::buffer_overflow ? 431
                   : ec == http::error::body_limit                                      ? 413
                                                                                        : 400;
      check_plan(routes.reject(status));
      return 0;  // a refused request closes the connection
    }
    if (!parser.is_done()) return 0;
    const auto& message = parser.get();
    serentak::server::response_plan plan = routes.route(message.method_string(), message.target());
    check_plan(plan);
    if (plan.close || !message.keep_alive()) return 0;
  }
  // The router alone, on bytes no parser vetted: method and target split at the first space.
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  std::size_t space = raw.find(' ');
  if (space != std::string_view::npos) check_plan(routes.route(raw.substr(0, space), raw.substr(space + 1)));
  return 0;
}
