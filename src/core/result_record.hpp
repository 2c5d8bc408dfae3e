#pragma once
// One item's final record in the results file (--out FILE.jsonl|.csv), and the reverse: finding
// which items a results file already holds, for --resume. Records are single lines: JSONL by
// construction, CSV because control characters inside fields are escaped. Invalid UTF-8 in a
// body or item never breaks a line (replaced in JSON, escaped in CSV).
// Pure functions; thread-safe.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/outcome.hpp"

namespace serentak {

enum class result_format { jsonl, csv };

struct result_record {
  std::size_t index = 0;  // the item's position in the input (0-based)
  std::string_view item;
  std::string_view url;
  outcome kind = outcome::unexpected;
  long http_status = 0;
  int attempts = 0;
  std::chrono::microseconds latency{0};
  const nlohmann::json* data = nullptr;  // the response as JSON, when it was JSON and parsed
  // The body is valid JSON though data is null (validated without a document): recorded as data
  // all the same, parsed here only if it is not one line.
  bool body_is_json = false;
  // The response body. With data set (or body_is_json) it must be the text data was parsed from: a
  // one-line JSON object or array is then recorded byte for byte. Otherwise a bounded snippet is kept.
  std::string_view body;
  std::string_view error;
  std::string_view http_version;  // "1.1", "2", ... of the response; empty when none came
  std::size_t round = 0;          // --every: the round (from 1) that fetched it; 0: a single run, not written
};

inline constexpr std::size_t snippet_chars = 200;  // non-JSON bodies keep this many characters
// The deepest JSON body recorded as "data": common readers refuse deeper documents (jq 1.6, the
// one in Debian 12, parses at most 256 levels; Python's json fails before 1,000 by recursion), and
// the record wraps the body one level deeper. A deeper body is recorded as the string "data_text"
// with "data_too_deep": true, so every reader can still read every line.
inline constexpr std::size_t max_record_data_depth = 255;

// Whether a JSON text nests arrays and objects deeper than limit (strings skipped); linear, and
// stops at the first level past the limit.
bool json_deeper_than(std::string_view text, std::size_t limit) noexcept;
// The bytes a record keeps of a valid JSON body as the server sent them: an object or array on
// one line (trailing whitespace aside, as Flask's jsonify ends with a newline), without a NUL;
// nullopt for any other body (a leading BOM or blank, a line break or NUL inside), which a record
// writes through the parser instead. The caller knows the body is valid JSON.
std::optional<std::string_view> one_line_json_text(std::string_view body) noexcept;

// The whole line, newline included.
std::string format_record(const result_record& record, result_format format);
// The same line appended to out (a buffer of records gathered per thread): no line of its own to
// allocate and copy. If it throws, out is left as it was: never half a record.
void append_record(std::string& out, const result_record& record, result_format format);
// The CSV header line, newline included (JSONL has none). with_round: a file of --every, whose
// records end with a round column (every record of it has round > 0).
std::string csv_header(bool with_round = false);

// From "--format" or the file's extension: ".jsonl"/".ndjson"/".json" -> jsonl, ".csv" -> csv.
std::optional<result_format> result_format_from_name(std::string_view name);
std::optional<result_format> result_format_for_path(std::string_view path);

// The item index a complete results line records, or nullopt (header, torn or foreign line).
std::optional<std::size_t> recorded_index(std::string_view line, result_format format);

// A results line read back, validated whole: JSONL, one JSON object with index, item, url,
// outcome (a known name), status, attempts and latency_ms of the right types; CSV, exactly the
// nine columns with RFC 4180 quoting, index, status and attempts integers, a known outcome.
struct stored_record {
  std::size_t index = 0;
  std::string item;  // as the file holds it (CSV: control characters still escaped)
  std::string url;
  outcome kind = outcome::unexpected;
  long http_status = 0;
  int attempts = 0;
  std::chrono::microseconds latency{0};
  std::size_t round = 0;  // JSONL: the "round" of a record written by --every; 0: none
};
std::optional<stored_record> parse_record(std::string_view line, result_format format);
// A record's latency_ms as stored_record holds it, bounded to +-1e18 microseconds (a file's value is
// untrusted; a larger one would overflow the conversion).
std::chrono::microseconds stored_latency(double ms) noexcept;

// What parse_record would give back as the item (or url) field of a record written from text:
// records are matched to input items by these values.
std::string stored_field(std::string_view text, result_format format);

}  // namespace serentak
