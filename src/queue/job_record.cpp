#include "queue/job_record.hpp"

#include <fmt/format.h>

#include "client/engine/response_judge.hpp"
#include "core/result_record.hpp"
#include "core/url_redaction.hpp"

namespace serentak::queue {
namespace {

// At most 300 bytes, cut before a UTF-8 sequence rather than inside one.
std::string_view attempt_note_prefix(std::string_view text) {
  constexpr std::size_t most = 300;
  if (text.size() <= most) return text;
  std::size_t cut = most;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut);
}

std::string without_newline(std::string line) {
  if (!line.empty() && line.back() == '\n') line.pop_back();
  return line;
}

// A record that carries no response body (dead-lettered, too large to store): the item and its URL
// redacted here, the rest as the caller filled it in.
std::string line_without_body(result_record record, std::string_view item, std::string_view url) {
  const std::string shown_item = redact_item(item);
  const std::string shown_url = redact_url(url);
  record.item = shown_item;
  record.url = shown_url;
  return without_newline(format_record(record, result_format::jsonl));
}

}  // namespace

finished_record make_record(const client::fetch_request& request, const client::fetch_result& result) {
  // Nothing reads the body's fields here: a one-line JSON body is validated, not parsed into a
  // document, and the record keeps its bytes (core/result_record), as `fetch` does.
  client::judged_response judged = client::judge_response(result, false, /*build_dom=*/false);
  std::string item = redact_item(request.item);
  std::string url = redact_url(request.url);
  result_record record;
  record.index = request.index;
  record.item = item;
  record.url = url;
  record.kind = judged.kind;
  record.http_status = result.http_status;
  record.attempts = result.attempts;
  record.latency = result.latency;
  record.data = judged.data.is_null() ? nullptr : &judged.data;
  record.body_is_json = judged.validated_only;
  record.body = result.body;
  record.error = judged.error;
  record.http_version = result.http_version;
  return {judged.kind, without_newline(format_record(record, result_format::jsonl))};
}

finished_record make_too_large_record(const client::fetch_request& request, const client::fetch_result& result,
                                      std::size_t bytes, std::size_t limit) {
  const std::string error = fmt::format(
      "the record ({} bytes) is larger than this Redis accepts ({} bytes, proto-max-bulk-len and "
      "client-query-buffer-limit): not stored; lower --max-body, or raise those limits and retry",
      bytes, limit);
  result_record record;
  record.index = request.index;
  record.kind = outcome::unexpected;
  record.http_status = result.http_status;
  record.attempts = result.attempts;
  record.latency = result.latency;
  record.error = error;
  record.http_version = result.http_version;
  return {outcome::unexpected, line_without_body(record, request.item, request.url)};
}

std::string describe_failed_attempt(const client::fetch_result& attempt) {
  std::string text = fmt::format("attempt {}: {}", attempt.attempts, to_string(attempt.kind));
  if (attempt.http_status != 0) text += fmt::format(" {}", attempt.http_status);
  if (!attempt.error.empty()) text += fmt::format(": {}", attempt.error);
  return std::string(attempt_note_prefix(text));
}

std::string dead_letter_error(long long deliveries, std::string_view last_failed_attempt) {
  std::string error = fmt::format("dead-lettered after {} deliveries: no worker finished it", deliveries);
  // Read back from Redis, where anything may have written it: bounded again.
  if (!last_failed_attempt.empty())
    error += fmt::format("; last failed attempt: {}", attempt_note_prefix(last_failed_attempt));
  return error;
}

std::string make_dead_record(std::size_t index, std::string_view item, std::string_view url, std::string_view error) {
  result_record record;
  record.index = index;
  record.kind = outcome::unexpected;
  record.attempts = 0;
  record.error = error;  // a view: error outlives the line made here
  return line_without_body(record, item, url);
}

}  // namespace serentak::queue
