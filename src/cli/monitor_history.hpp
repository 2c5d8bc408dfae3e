#pragma once
// `serentak monitor history NAME --db FILE [--since 1h] [--json]`: one endpoint's checks from a
// monitor's history database, oldest first, as text or JSONL. Server text (the values failed
// conditions saw) is escaped: JSON escapes it in JSONL (ASCII only), escape_for_log in text.

#include <chrono>
#include <string>

namespace serentak::cli {

// Exit 0 with the checks (none is fine), exit_not_found when the database has never seen the
// endpoint, exit_usage when the database is missing or unreadable.
int run_monitor_history(const std::string& name, const std::string& db_path, std::chrono::milliseconds since,
                        bool json);

}  // namespace serentak::cli
