#include "cli/monitor_history.hpp"

#include <filesystem>
#include <system_error>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/console.hpp"
#include "cli/exit_codes.hpp"
#include "core/log_text.hpp"
#include "core/timestamp.hpp"
#include "monitor/history_store.hpp"

namespace serentak::cli {
namespace {

using monitor::check_record;

long long epoch_ms(monitor::wall_time t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

double ms(std::chrono::nanoseconds d) { return std::chrono::duration<double, std::milli>(d).count(); }

// The stored JSON array of failed conditions; an unreadable one (a hand-edited row) shows as text.
nlohmann::json failed_of(const check_record& r) {
  nlohmann::json parsed = nlohmann::json::parse(r.failed_conditions, nullptr, false);
  return parsed.is_discarded() ? nlohmann::json(r.failed_conditions) : parsed;
}

std::string json_line(const check_record& r) {
  nlohmann::ordered_json line{{"endpoint", r.endpoint},
                              {"due_ms", epoch_ms(r.due)},
                              {"started_ms", epoch_ms(r.started)},
                              {"lag_ms", ms(r.started - r.due)},
                              {"duration_ms", ms(r.duration)},
                              {"status", r.status},
                              {"outcome", r.outcome},
                              {"passed", r.passed},
                              {"failed_conditions", failed_of(r)}};
  // ensure_ascii: a terminal reading JSONL is as safe as one reading the text form.
  return line.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
}

std::string text_line(const check_record& r) {
  // The outcome is read from the database like the rest: a hand-edited row is escaped too.
  const std::string outcome = escape_for_log(r.outcome);
  std::string answer = r.status > 0 ? fmt::format("{} {}", r.status, outcome) : outcome;
  std::string line = fmt::format("{}  {}  {}  {:.1f} ms  lag {:.1f} ms", format_timestamp(r.started),
                                 r.passed ? "pass" : "FAIL", answer, ms(r.duration), ms(r.started - r.due));
  const nlohmann::json failed = failed_of(r);
  if (failed.is_array()) {
    for (const nlohmann::json& f : failed) {
      if (f.is_object() && f.contains("explained") && f["explained"].is_string()) {
        line += "  " + escape_for_log(f["explained"].get<std::string>());
      }
    }
  } else {
    line += "  " + escape_for_log(failed.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  return line;
}

}  // namespace

int run_monitor_history(const std::string& name, const std::string& db_path, std::chrono::milliseconds since,
                        bool json) {
  const std::string who = "serentak monitor history";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(db_path, ec)) {
    // The store would create a database: reading must never leave an empty one behind.
    console::err("{}: --db '{}': no such history database\n", who, escape_for_log(db_path));
    return exit_usage;
  }
  try {
    monitor::history_store store(db_path);
    const auto states = store.load_states();
    if (states.find(name) == states.end()) {
      std::string known;
      for (const auto& [endpoint, state] : states) {
        if (known.size() > 200) {
          known += ", ...";
          break;
        }
        known += (known.empty() ? "" : ", ") + endpoint;
      }
      console::err("{}: no endpoint '{}' in {} (known: {})\n", who, escape_for_log(name), escape_for_log(db_path),
                   known.empty() ? "none" : escape_for_log(known));
      return exit_not_found;
    }
    const auto from = std::chrono::system_clock::now() - since;
    for (const check_record& r : store.checks(name, from)) console::out("{}\n", json ? json_line(r) : text_line(r));
  } catch (const monitor::history_error& e) {
    console::err("{}: --db '{}': {}\n", who, escape_for_log(db_path), escape_for_log(e.what()));
    return exit_usage;
  }
  return exit_ok;
}

}  // namespace serentak::cli
