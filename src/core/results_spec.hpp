#pragma once
// The request specification a results file was made with, written as its first line so that a
// later --resume can tell whether the file's records answer the same requests. Never a secret:
// header names only, and the body as a SHA-256 digest.
//
// File shapes (docs/cli.md, "Results files"):
//   JSONL: {"serentak_results":1,"spec":{"method":"GET","url":"...","headers":[],"body_sha256":"","theme":"fetch"}}
//          a line without "index": a consumer that reads records skips it (jq 'select(.index)').
//   CSV:   the same JSON object after "#", then the column header line; python's csv module reads
//          the rest once the first line is skipped (next(f); csv.DictReader(f)).
// Pure values and functions; thread-safe.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result_record.hpp"

namespace serentak {

struct results_spec {
  std::string method = "GET";         // HTTP method of every request
  std::string url;                    // URL template ("{}" is the item), or "{}" when each item is a URL
  std::vector<std::string> headers;   // names of extra request headers, in the order given (no values)
  std::string body_sha256;            // hex SHA-256 of the request body; empty: no body
  std::string theme;                  // the command that made it: weather, ..., fetch
};

inline constexpr int results_file_version = 1;

// The spec line(s) that open a results file, newline(s) included (CSV: the column header too, with
// the round column for a file of --every).
std::string results_preamble(const results_spec& spec, result_format format, bool with_round = false);
// How many lines results_preamble writes: 1 (JSONL) or 2 (CSV).
std::size_t preamble_lines(result_format format) noexcept;

// The spec the first line records, or nullopt if it is not a serentak results preamble line.
std::optional<results_spec> parse_spec_line(std::string_view line, result_format format);

// "" when equal, otherwise the first difference in words: "url 'a' (this run: 'b')".
std::string spec_difference(const results_spec& recorded, const results_spec& current);

}  // namespace serentak
