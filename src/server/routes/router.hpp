#pragma once
// Maps a request (method, target) to a response_plan, as Flask's URL map does for the seed apps:
// a known path with GET or HEAD goes to its route's handler, OPTIONS gets the Allow list, any other
// method 405; an unknown path gets Flask's HTML 404. Built once from scenarios (by default the
// five seed themes as built-in scenarios), then immutable: route() is const and thread-safe
// (the only mutable state, the faults' attempt_counter, has its own lock).
// Owned by mock_server; sessions hold a reference to it.

#include <deque>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "server/faults/attempt_counter.hpp"
#include "scenario/delay_model.hpp"
#include "server/http/mock_server.hpp"
#include "server/routes/response_plan.hpp"
#include "scenario/scenario.hpp"
#include "server/routes/theme_handler.hpp"
#include "themes/theme.hpp"

namespace serentak::server {

struct router_options {
  std::optional<std::uint64_t> seed;  // see delay_model
  double delay_scale = 1.0;           // >= 0
  bool access_lines = true;           // build "[SERVER] ..." lines (false: --quiet)
};

class router {
 public:
  // Throws std::invalid_argument for a bad delay scale, malformed route data or two routes
  // claiming the same path.
  router(std::span<const themes::theme> themes, router_options options);
  router(std::vector<scenario> scenarios, router_options options);  // routes moved into the handlers
  // What mock_server serves: config.scenarios, or the built-in seed scenarios when there are none,
  // with config's seed, delay scale and quiet flag.
  explicit router(const server_config& config);
  router(const router&) = delete;  // handlers refer to delays_
  router& operator=(const router&) = delete;

  response_plan route(std::string_view method, std::string_view target) const;

  // The answer to a request that could not be read (400 malformed, 413 body, 431 header):
  // Werkzeug's error page, then the connection closes.
  response_plan reject(int status) const;

  std::vector<std::string> paths() const;  // every routed path, sorted
  const attempt_counter& attempts() const noexcept { return attempts_; }

 private:
  using handler = std::variant<const keyed_handler*, const fixed_handler*>;
  void add(std::string_view path, handler h);

  delay_model delays_;
  access_lines lines_;
  attempt_counter attempts_;         // (route, item) -> requests seen, for the routes' faults
  std::deque<keyed_handler> keyed_;  // a deque: routes_ and plans point into its elements
  std::deque<fixed_handler> fixed_;
  std::map<std::string, handler, std::less<>> routes_;
};

}  // namespace serentak::server
