#include "core/result_record.hpp"

#include <charconv>
#include <iterator>
#include <vector>

#include <fmt/format.h>

#include "core/find_any.hpp"
#include "core/json_members.hpp"
#include "core/json_text.hpp"
#include "core/json_validate.hpp"
#include "core/log_text.hpp"

namespace serentak {
namespace {

constexpr auto replace_invalid = nlohmann::json::error_handler_t::replace;

double latency_ms(const result_record& r) { return static_cast<double>(r.latency.count()) / 1000.0; }

// The JSONL record's numbers, written with to_chars: fmt's format-string parsing was a tenth of
// the cost of a record. An integer number of microseconds printed as milliseconds with three
// decimals is exactly its digits with a point before the last three, which is what "{:.3f}" of
// us / 1000.0 prints (the double is within half a thousandth of that decimal).
template <typename Integer>
void append_integer(std::string& out, Integer value) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
}

void append_millis(std::string& out, std::chrono::microseconds latency) {
  long long us = latency.count();
  if (us < 0) {
    out += '-';
    us = -us;
  }
  append_integer(out, us / 1000);
  const auto fraction = static_cast<int>(us % 1000);
  const char text[4] = {'.', static_cast<char>('0' + fraction / 100), static_cast<char>('0' + fraction / 10 % 10),
                        static_cast<char>('0' + fraction % 10)};
  out.append(text, sizeof text);
}

// RFC 4180 quoting, after escaping control characters so a field never spans lines.
std::string csv_field(std::string_view raw) {
  std::string text = escape_for_log(raw);
  if (text.find_first_of(",\"") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

// A body that parsed as JSON (r.data) or was validated as such (r.body_is_json) is kept as the
// server sent it when one_line_json_text takes it: re-serialising the parsed document costs more
// than the rest of the record. The parser has already checked it is valid JSON and valid UTF-8.
std::optional<std::string_view> one_line_json(const result_record& r) {
  if (r.data == nullptr && !r.body_is_json) return std::nullopt;
  return one_line_json_text(r.body);
}

void append_data(std::string& out, const result_record& r) {
  if (auto raw = one_line_json(r)) {
    out.append(*raw);
  } else if (r.data != nullptr) {
    out += r.data->dump(-1, ' ', false, replace_invalid);
  } else if (r.body_is_json) {
    out += nlohmann::json::parse(r.body).dump(-1, ' ', false, replace_invalid);  // validated already
  } else {
    out.append(utf8_prefix(r.body, snippet_chars));
  }
}

std::string data_text(const result_record& r) {
  std::string text;
  append_data(text, r);
  return text;
}

}  // namespace

std::optional<std::string_view> one_line_json_text(std::string_view body) noexcept {
  if (body.empty() || (body.front() != '{' && body.front() != '[')) return std::nullopt;
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r' || body.back() == ' ' || body.back() == '\t')) {
    body.remove_suffix(1);
  }
  // A NUL ends nlohmann's input, so `{"a":1}<NUL>junk` is valid JSON to it; copied raw, the NUL
  // and the junk would break the JSONL line. Such a body goes through the parser and the dump.
  if (find_any(body, std::string_view("\r\n\0", 3)) != std::string_view::npos) return std::nullopt;
  return body;
}

bool json_deeper_than(std::string_view text, std::size_t limit) noexcept {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character, whatever it is
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return true;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
}

std::string format_record(const result_record& r, result_format format) {
  std::string line;
  append_record(line, r, format);
  return line;
}

namespace {

void write_record(std::string& out, const result_record& r, result_format format) {
  if (format == result_format::csv) {
    // http_version last: columns are only ever appended, so older readers of the file keep working.
    fmt::format_to(std::back_inserter(out), "{},{},{},{},{},{},{:.3f},{},{},{}", r.index, csv_field(r.item),
                   csv_field(r.url), to_string(r.kind), r.http_status, r.attempts, latency_ms(r), csv_field(r.error),
                   csv_field(data_text(r)), csv_field(r.http_version));
    // round after http_version, for the same reason; only in a file of --every (csv_header(true)).
    if (r.round > 0) fmt::format_to(std::back_inserter(out), ",{}", r.round);
    out += '\n';
    return;
  }
  // Written field by field rather than through an nlohmann::json document, which would copy the
  // parsed response once more per record.
  out += "{\"index\":";
  append_integer(out, r.index);
  out += ',';
  if (r.round > 0) {
    out += "\"round\":";
    append_integer(out, r.round);
    out += ',';
  }
  out += "\"item\":";
  append_json_string(out, r.item);
  out += ",\"url\":";
  append_json_string(out, r.url);
  out += ",\"outcome\":\"";
  out += to_string(r.kind);
  out += "\",\"status\":";
  append_integer(out, r.http_status);
  out += ",\"attempts\":";
  append_integer(out, r.attempts);
  out += ",\"latency_ms\":";
  append_millis(out, r.latency);
  if (!r.http_version.empty()) {
    out += ",\"http_version\":";
    append_json_string(out, r.http_version);
  }
  if (!r.error.empty()) {
    out += ",\"error\":";
    append_json_string(out, r.error);
  }
  const bool json = r.data != nullptr || r.body_is_json;
  if (json && json_deeper_than(r.body, max_record_data_depth)) {
    out += ",\"data_too_deep\":true,\"data_text\":";
    append_json_string(out, r.body);
  } else if (json) {
    out += ",\"data\":";
    append_data(out, r);
  } else if (!r.body.empty()) {
    out += ",\"snippet\":";
    append_json_string(out, utf8_prefix(r.body, snippet_chars));
  }
  out += "}\n";
}

}  // namespace

void append_record(std::string& out, const result_record& r, result_format format) {
  // out is a thread's buffer of whole records on their way to the file: a record cut short by an
  // exception (bad_alloc, in practice) must not stay in it as half a line.
  const std::size_t before = out.size();
  try {
    write_record(out, r, format);
  } catch (...) {
    out.resize(before);
    throw;
  }
}

std::string csv_header(bool with_round) {
  return with_round ? "index,item,url,outcome,status,attempts,latency_ms,error,data,http_version,round\n"
                    : "index,item,url,outcome,status,attempts,latency_ms,error,data,http_version\n";
}

std::optional<result_format> result_format_from_name(std::string_view name) {
  if (name == "jsonl" || name == "ndjson" || name == "json") return result_format::jsonl;
  if (name == "csv") return result_format::csv;
  return std::nullopt;
}

std::optional<result_format> result_format_for_path(std::string_view path) {
  auto dot = path.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  return result_format_from_name(path.substr(dot + 1));
}

namespace {

// RFC 4180 fields of one line (no line breaks inside: format_record escapes them); nullopt when a
// quote is unbalanced or stray.
std::optional<std::vector<std::string>> csv_fields(std::string_view line) {
  std::vector<std::string> fields;
  std::size_t i = 0;
  for (;;) {
    std::string field;
    if (i < line.size() && line[i] == '"') {
      ++i;
      for (;;) {
        if (i >= line.size()) return std::nullopt;
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += line[i++];
      }
      if (i < line.size() && line[i] != ',') return std::nullopt;
    } else {
      std::size_t end = line.find(',', i);
      if (end == std::string_view::npos) end = line.size();
      field.assign(line.substr(i, end - i));
      if (field.find('"') != std::string::npos) return std::nullopt;
      i = end;
    }
    fields.push_back(std::move(field));
    if (i >= line.size()) return fields;
    ++i;  // the comma
  }
}

template <typename T>
bool whole_number(std::string_view text, T& value) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && ptr == text.data() + text.size() && !text.empty();
}

std::optional<stored_record> parse_csv_record(std::string_view line) {
  auto fields = csv_fields(line);
  // Ten columns, http_version last (csv_header); a record cut anywhere has fewer.
  if (!fields || fields->size() != 10) return std::nullopt;
  const std::vector<std::string>& f = *fields;
  stored_record r;
  auto kind = outcome_from_string(f[3]);
  double ms = 0;
  if (!whole_number(f[0], r.index) || !kind || !whole_number(f[4], r.http_status) || !whole_number(f[5], r.attempts)) {
    return std::nullopt;
  }
  auto [ptr, ec] = std::from_chars(f[6].data(), f[6].data() + f[6].size(), ms);
  if (ec != std::errc() || ptr != f[6].data() + f[6].size() || f[6].empty()) return std::nullopt;
  r.kind = *kind;
  r.item = f[1];
  r.url = f[2];
  r.latency = stored_latency(ms);
  return r;
}

// The members a record is read by, as raw JSON texts; empty: absent. Read without a document (a
// resumed run reads every record of its file up to three times; nlohmann's document of each, body
// included, was most of a million-record --resume): the answers are the document's, tested so.
struct record_members {
  std::string_view index, item, url, outcome, status, attempts, latency, round;
};

std::optional<record_members> record_members_of(std::string_view line) {
  if (!is_valid_json(line)) return std::nullopt;
  record_members m;
  const bool object = for_each_json_member(line, [&m](std::string_view name, std::string_view value) {
    // A name given twice keeps its last value, as in nlohmann's document.
    if (name == "index")
      m.index = value;
    else if (name == "item")
      m.item = value;
    else if (name == "url")
      m.url = value;
    else if (name == "outcome")
      m.outcome = value;
    else if (name == "status")
      m.status = value;
    else if (name == "attempts")
      m.attempts = value;
    else if (name == "latency_ms")
      m.latency = value;
    else if (name == "round")
      m.round = value;
  });
  if (!object) return std::nullopt;
  return m;
}

bool is_json_string(std::string_view value) noexcept { return !value.empty() && value.front() == '"'; }

std::optional<stored_record> parse_jsonl_record(std::string_view line) {
  const std::optional<record_members> m = record_members_of(line);
  if (!m || !is_json_string(m->item) || !is_json_string(m->url) || !is_json_string(m->outcome)) return std::nullopt;
  const std::optional<std::uint64_t> index = json_unsigned(m->index);
  const std::optional<std::int64_t> status = json_integer(m->status);
  const std::optional<std::int64_t> attempts = json_integer(m->attempts);
  const std::optional<double> latency = json_double(m->latency);
  if (!index || !status || !attempts || !latency) return std::nullopt;
  // A known name has no escapes: a raw comparison is an exact one, but for a name spelled with
  // escapes ("\u006fk"), which is decoded first.
  const std::string_view raw_outcome = m->outcome.substr(1, m->outcome.size() - 2);
  const auto named = raw_outcome.find('\\') == std::string_view::npos
                         ? outcome_from_string(raw_outcome)
                         : outcome_from_string(decode_json_string(m->outcome));
  if (!named) return std::nullopt;
  stored_record r;
  r.index = static_cast<std::size_t>(*index);
  r.item = decode_json_string(m->item);
  r.url = decode_json_string(m->url);
  r.kind = *named;
  r.http_status = static_cast<long>(*status);
  r.attempts = static_cast<int>(*attempts);
  r.latency = stored_latency(*latency);
  if (const std::optional<std::uint64_t> round = json_unsigned(m->round)) r.round = static_cast<std::size_t>(*round);
  return r;
}

}  // namespace

std::chrono::microseconds stored_latency(double ms) noexcept {
  // A file's latency is untrusted: 1e300 ms would overflow the cast (undefined behaviour).
  constexpr double bound = 1e18;  // microseconds: 31,000 years
  const double us = ms * 1000.0;
  if (!(us < bound)) return std::chrono::microseconds(static_cast<long long>(us > 0 ? bound : 0));
  if (!(us > -bound)) return std::chrono::microseconds(static_cast<long long>(-bound));
  return std::chrono::microseconds(static_cast<long long>(us));
}

std::optional<stored_record> parse_record(std::string_view line, result_format format) {
  return format == result_format::csv ? parse_csv_record(line) : parse_jsonl_record(line);
}

std::optional<std::size_t> recorded_index(std::string_view line, result_format format) {
  if (format == result_format::csv) {
    auto comma = line.find(',');
    if (comma == std::string_view::npos || comma == 0) return std::nullopt;
    std::size_t index = 0;
    auto [ptr, ec] = std::from_chars(line.data(), line.data() + comma, index);
    if (ec != std::errc() || ptr != line.data() + comma) return std::nullopt;
    return index;
  }
  const std::optional<record_members> m = record_members_of(line);
  if (!m || m->outcome.empty()) return std::nullopt;
  const std::optional<std::uint64_t> index = json_unsigned(m->index);
  if (!index) return std::nullopt;
  return static_cast<std::size_t>(*index);
}

std::string stored_field(std::string_view text, result_format format) {
  if (format == result_format::csv) return escape_for_log(text);
  bool ascii = true;
  for (char c : text) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (ascii) return std::string(text);  // escaping control characters round-trips exactly
  std::string encoded;
  append_json_string(encoded, text);  // invalid UTF-8 becomes U+FFFD, as in the record
  return nlohmann::json::parse(encoded).get<std::string>();
}

}  // namespace serentak
