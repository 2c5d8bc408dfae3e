#include "cli/failure_report.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include <fmt/format.h>

#include "core/log_text.hpp"

namespace serentak::cli {
namespace {

bool mentions_refused(std::string_view error) {
  std::string lower(error);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower.find("refused") != std::string::npos || lower.find("couldn't connect") != std::string::npos;
}

std::string reason_of(const client::failed_item& failed) {
  if (!failed.reason.empty()) return escape_for_log(failed.reason);
  if (failed.http_status != 0) return fmt::format("status {}", failed.http_status);
  return {};
}

std::string item_count(std::uint64_t n, themes::language lang) {
  if (lang == themes::language::id) return fmt::format("{} item", n);
  return fmt::format("{} {}", n, n == 1 ? "item" : "items");
}

}  // namespace

std::string render_failure_report(const run_summary& summary, const client::failure_digest& failures,
                                  const failure_report_context& context) {
  if (summary.failures() == 0) return {};
  bool id = context.lang == themes::language::id;
  std::string out =
      id ? fmt::format("{} dari {} tidak berhasil:", summary.failures(), item_count(summary.items(), context.lang))
         : fmt::format("{} of {} did not succeed:", summary.failures(), item_count(summary.items(), context.lang));
  bool first = true;
  for (outcome o : all_outcomes) {
    if (o == outcome::ok || summary.count(o) == 0) continue;
    out += fmt::format("{} {} {}", first ? "" : ",", to_string(o), summary.count(o));
    first = false;
  }
  out += '\n';

  std::vector<client::failed_item> listed = failures.first_failures();
  std::sort(listed.begin(), listed.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
  for (const client::failed_item& failed : listed) {
    std::string reason = reason_of(failed);
    out += fmt::format("  Worker-{} {}: {}{}\n", failed.index, escape_for_log(failed.item), to_string(failed.kind),
                       reason.empty() ? "" : " (" + reason + ")");
  }
  if (failures.failures() > listed.size()) {
    std::uint64_t more = failures.failures() - listed.size();
    if (context.log_name.empty()) {
      out += id ? fmt::format("  dan {} lainnya\n", more) : fmt::format("  and {} more\n", more);
    } else {
      out += id ? fmt::format("  dan {} lainnya, lihat {}\n", more, context.log_name)
                : fmt::format("  and {} more, see {}\n", more, context.log_name);
    }
  }

  for (const client::host_tally& host : failures.hosts()) {
    if (host.finished == 0 || host.connect_failed != host.finished) continue;
    std::string name = escape_for_log(host.host);
    std::string serve = context.suggest_serve ? " (serentak serve)" : "";
    if (mentions_refused(host.first_error)) {
      out += id ? fmt::format("tidak ada yang mendengarkan di {}: apakah servernya berjalan?{}\n", name, serve)
                : fmt::format("nothing listens on {}: is the server running?{}\n", name, serve);
    } else {
      std::string error = escape_for_log(host.first_error);
      out += id ? fmt::format("tidak satu pun permintaan ke {} tersambung ({}): periksa alamat dan jaringannya\n", name,
                              error)
                : fmt::format("no request to {} could connect ({}): check the address and the network\n", name, error);
    }
  }
  return out;
}

}  // namespace serentak::cli
