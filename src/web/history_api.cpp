#include "web/history_api.hpp"

#include <nlohmann/json.hpp>

#include "web/endpoint_view.hpp"

namespace serentak::web {
namespace {

std::int64_t ms_of(monitor::wall_time t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

history_api::history_api(const std::string& db_path) : store_(std::make_unique<monitor::history_store>(db_path)) {}

std::string history_api::checks_json(std::string_view endpoint, std::chrono::milliseconds since) {
  const monitor::wall_time from = std::chrono::system_clock::now() - since;
  std::vector<monitor::check_record> rows;
  {
    std::lock_guard lock(mutex_);
    rows = store_->checks(endpoint, from, history_rows_max + 1);
  }
  const bool truncated = rows.size() > history_rows_max;
  if (truncated) rows.resize(history_rows_max);
  nlohmann::json list = nlohmann::json::array();
  for (const monitor::check_record& r : rows) {
    nlohmann::json failing = nlohmann::json::parse(r.failed_conditions, nullptr, false);
    if (failing.is_discarded()) failing = nlohmann::json::array();
    list.push_back({{"started_ms", ms_of(r.started)},
                    {"due_ms", ms_of(r.due)},
                    {"duration_ms", static_cast<double>(r.duration.count()) / 1000.0},
                    {"status", r.status},
                    {"outcome", r.outcome},
                    {"passed", r.passed},
                    {"failing", std::move(failing)}});
  }
  return dump_json(
      {{"endpoint", endpoint}, {"since_ms", ms_of(from)}, {"checks", std::move(list)}, {"truncated", truncated}});
}

}  // namespace serentak::web
