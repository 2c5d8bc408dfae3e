#pragma once
// A theme is one seed story as data: what the client asks, how it speaks, and what the mock
// server answers. One engine and one server read these; no theme has code of its own.
// All members are static strings; instances are immutable and shared freely across threads.

#include <chrono>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/outcome.hpp"

namespace serentak::themes {

enum class language { id, en };  // Bahasa Indonesia (the seed's voice) or English

// What the client logs, per outcome and per stage; see core/message_template.hpp for syntax.
// Variables: item, url, noun, status, body (first 100 characters), error, count, seconds, timeout.
// The four per-item progress messages (worker_started, request_sent, request_done,
// worker_finished) may be empty: no line is written for them.
struct messages {
  std::string_view noun;            // the theme's word for an item, as {noun}: "kota", "ISBN"
  std::string_view run_started;     // MainClient, before any request: {count}
  std::string_view run_started_one; // the same for exactly one item, where the language has a plural ("": run_started)
  std::string_view run_finished;    // MainClient, after the last item: {seconds} ("%.2f")
  std::string_view worker_started;  // Worker-<i>, first line of an item
  std::string_view request_sent;    // just before the request goes out
  std::string_view ok;              // 2xx (data.* from the JSON body where the theme has one)
  std::string_view not_found;       // 404
  std::string_view other_status;    // any other status: {status} - {body}
  std::string_view timeout;
  std::string_view connection_error;  // {error}
  std::string_view invalid_response;  // {error}
  std::string_view unexpected;        // {error}
  std::string_view request_done;      // the seed's step 4: the request function's last line
  std::string_view worker_finished;   // last line of an item
};

struct delay_range {
  double min_s = 0;  // seconds, uniform in [min_s, max_s]
  double max_s = 0;
};

// A seed API that looks an item up by one query parameter (weather, books, pizza, profiles).
struct keyed_route {
  std::string_view path;              // "/get_weather"
  std::string_view param;             // "city"
  bool upper_case = false;            // the seed upper-cases the parameter before the lookup
  delay_range delay;                  // applied before every answer, 400s included (as the seed does)
  std::string_view records_json;      // JSON object: key -> record, fields in the seed's order
  std::string_view not_found_error;   // "city_not_found"
  std::string_view not_found_message; // "City '{key}' not found in our database."
  std::string_view missing_message;   // the 400 message; empty: answer a random record instead
  std::string_view found_line;        // server access line; {key}, {record} (Python repr), {delay}
  std::string_view random_line;       // access line for a random record (weather only)
  std::string_view not_found_line;    // access line for an unknown key
  std::string_view missing_line;      // access line for a missing parameter (the seed prints none)
};

// A fixed endpoint with one answer (the health story's /status/ok, /slow, /error).
struct fixed_route {
  std::string_view path;
  int status = 200;
  delay_range delay;
  std::string_view body_json;  // fields in the seed's order; "{delay}" inside strings is the delay
};

struct theme {
  std::string_view command;      // CLI subcommand: "weather"
  std::string_view summary;      // one line for --help
  std::string_view log_file;     // the seed's log file name
  std::string_view log_title;    // "Weather Client Log" -> "--- Weather Client Log Started: ... ---"
  std::string_view url_pattern;  // appended to --base; "{}" is the encoded item; empty: items are URLs
  bool expects_json = true;      // parse 2xx bodies as JSON (invalid JSON -> invalid_response)
  std::chrono::milliseconds timeout{5000};
  std::span<const std::string_view> default_items;  // the seed's list; "/path" items join --base
  messages id;                                      // the seed's Indonesian voice
  messages en;
  std::optional<keyed_route> keyed;   // server side, one of keyed / fixed
  std::span<const fixed_route> fixed;
  // The --web dashboard's view of a run of this theme: "pizza_board", "weather_tiles" or "table".
  std::string_view dashboard_view = "table";

  const messages& speak(language lang) const noexcept { return lang == language::id ? id : en; }
};

// The five seed themes, in the seeds' order: weather, books, pizza, health, profiles.
std::span<const theme> seed_themes() noexcept;
const theme* find_theme(std::string_view command) noexcept;

// What the seed data implies for an item of this theme (for `serentak demo`): a known key is ok,
// an unknown one not_found; health paths by their route.
std::vector<outcome> expected_outcomes(const theme& t, std::string_view item);

}  // namespace serentak::themes

namespace serentak::themes {

// The voice of `serentak fetch`: any API, items turned into URLs by --url or given whole (--urls).
// Not a seed story, so not in seed_themes(); English is its default language.
const theme& fetch_theme() noexcept;

}  // namespace serentak::themes
