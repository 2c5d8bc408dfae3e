#pragma once
// Where a run's items go as they finish, besides the log and the results file: the live dashboard
// of `--every --web` (web/dashboard_state). The theme_observer calls on_item from the engine's
// worker threads, concurrently, once per item that ended (not for items cancelled by a stop), so an
// implementation locks what it keeps and must be quick: a worker waits on it.

#include <chrono>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/outcome.hpp"

namespace serentak::client {

// One finished item; every view is valid only during the call.
struct item_report {
  std::string_view item;               // as the log names it (credentials redacted, "***" when secret)
  outcome kind = outcome::unexpected;  // ok, not_found, ...
  std::chrono::microseconds latency{0};
  std::string_view message;            // the theme's line for this outcome, as logged
  const nlohmann::json* data = nullptr;  // the parsed JSON body, or null (none, or not JSON)
};

class item_sink {
 public:
  virtual ~item_sink() = default;
  virtual void on_item(const item_report& report) noexcept = 0;
};

}  // namespace serentak::client
