#pragma once
// Maps a request (method, target) to a response_plan, as Flask's URL map does for the seed apps:
// a known path with GET or HEAD goes to its theme handler, OPTIONS gets the Allow list, any other
// method 405; an unknown path gets Flask's HTML 404. All five seed themes share one router.
// Built once from the theme descriptors, then immutable: route() is const and thread-safe.
// Owned by mock_server; sessions hold a reference to it.

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "server/delay_model.hpp"
#include "server/response_plan.hpp"
#include "server/theme_handler.hpp"
#include "themes/theme.hpp"

namespace serentak::server {

struct router_options {
  std::optional<std::uint64_t> seed;  // see delay_model
  double delay_scale = 1.0;           // >= 0
  bool access_lines = true;           // build "[SERVER] ..." lines (false: --quiet)
};

class router {
 public:
  // Throws std::invalid_argument for a bad delay scale, malformed theme data or two themes
  // claiming the same path.
  router(std::span<const themes::theme> themes, router_options options);
  router(const router&) = delete;  // handlers refer to delays_
  router& operator=(const router&) = delete;

  response_plan route(std::string_view method, std::string_view target) const;

  // The answer to a request that could not be read (400 malformed, 413 body, 431 header):
  // Werkzeug's error page, then the connection closes.
  response_plan reject(int status) const;

  std::vector<std::string> paths() const;  // every routed path, sorted

 private:
  using handler = std::variant<const keyed_handler*, const fixed_handler*>;
  void add(std::string_view path, handler h);

  delay_model delays_;
  access_lines lines_;
  std::vector<keyed_handler> keyed_;  // reserved up front: routes_ points into them
  std::vector<fixed_handler> fixed_;
  std::map<std::string, handler, std::less<>> routes_;
};

}  // namespace serentak::server
