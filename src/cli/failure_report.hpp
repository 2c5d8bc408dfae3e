#pragma once
// The short report a person sees on a terminal after a client run that did not fully succeed
// (issue 15, point 1): counts per outcome, the first failed items with their outcome and reason,
// "and N more, see LOG", and one line per host that every request failed to reach, with its
// likely cause. Only on stderr, only when stderr is a terminal: scripts see the seed's output.
// Pure; thread-safe.

#include <string>
#include <string_view>

#include "client/outputs/failure_digest.hpp"
#include "core/run_summary.hpp"
#include "themes/theme.hpp"

namespace serentak::cli {

struct failure_report_context {
  themes::language lang = themes::language::en;
  std::string log_name;        // "" when --no-log
  bool suggest_serve = false;  // a seed command: "serentak serve" is the server it expects
};

// "" when every item ended ok.
std::string render_failure_report(const run_summary& summary, const client::failure_digest& failures,
                                  const failure_report_context& context);

}  // namespace serentak::cli
