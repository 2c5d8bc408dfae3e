// Fuzzes the log escaper (core/log_text) and the results record built from the same untrusted
// bytes (core/result_record). Properties: escape_for_log's output has no C0 control or DEL, is
// valid UTF-8 (checked here by an independent decoder), holds no C1 control, bidi override or
// line separator, and loses nothing (unescaping gives the input back); utf8_prefix never splits a
// character; a JSONL record made from arbitrary item, URL, error and body bytes is one line of
// valid JSON whose index reads back, and a CSV record is one line whose index reads back.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/log_text.hpp"
#include "core/result_record.hpp"
#include "fuzz_check.hpp"

namespace {

// Decodes one UTF-8 character at text[0] by RFC 3629 (no overlongs, surrogates or > U+10FFFF).
std::optional<std::pair<std::uint32_t, std::size_t>> decode_utf8(std::string_view text) {
  auto b = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(text[i])); };
  std::uint32_t c0 = b(0);
  std::size_t len = c0 < 0x80 ? 1 : c0 >= 0xC2 && c0 <= 0xDF ? 2 : c0 >= 0xE0 && c0 <= 0xEF ? 3 : c0 >= 0xF0 && c0 <= 0xF4 ? 4 : 0;
  if (len == 0 || text.size() < len) return std::nullopt;
  std::uint32_t cp = len == 1 ? c0 : len == 2 ? (c0 & 0x1F) : len == 3 ? (c0 & 0x0F) : (c0 & 0x07);
  for (std::size_t i = 1; i < len; ++i) {
    if ((b(i) & 0xC0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (b(i) & 0x3F);
  }
  static constexpr std::uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < min_for_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  return std::pair{cp, len};
}

bool is_valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    auto decoded = decode_utf8(text.substr(i));
    if (!decoded) return false;
    i += decoded->second;
  }
  return true;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The inverse of escape_for_log, written from its documentation: \n \r \t \\ \xHH \u{XXXX}.
std::optional<std::string> unescape(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out.push_back(text[i]);
      continue;
    }
    if (++i >= text.size()) return std::nullopt;
    switch (text[i]) {
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case '\\': out.push_back('\\'); break;
      case 'x': {
        if (i + 2 >= text.size()) return std::nullopt;
        int hi = hex_value(text[i + 1]);
        int lo = hex_value(text[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        break;
      }
      case 'u': {
        if (text.substr(i).size() < 7 || text[i + 1] != '{' || text[i + 6] != '}') return std::nullopt;
        std::uint32_t cp = 0;
        for (std::size_t k = 2; k < 6; ++k) {
          int v = hex_value(text[i + k]);
          if (v < 0) return std::nullopt;
          cp = cp * 16 + static_cast<std::uint32_t>(v);
        }
        append_utf8(out, cp);
        i += 6;
        break;
      }
      default: return std::nullopt;
    }
  }
  return out;
}

bool is_hidden_code_point(std::uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

void check_escape(std::string_view raw) {
  std::string escaped = serentak::escape_for_log(raw);
  for (std::size_t i = 0; i < escaped.size();) {
    auto decoded = decode_utf8(std::string_view(escaped).substr(i));
    FUZZ_CHECK(decoded.has_value());  // valid UTF-8
    auto [cp, len] = *decoded;
    FUZZ_CHECK(cp >= 0x20 && cp != 0x7F);  // no C0 control, no DEL: the line cannot end or move the cursor
    FUZZ_CHECK(!is_hidden_code_point(cp));
    i += len;
  }
  auto back = unescape(escaped);
  FUZZ_CHECK(back.has_value() && *back == raw);  // nothing lost, nothing ambiguous
}

void check_prefix(std::string_view raw, std::size_t max_chars) {
  std::string_view prefix = serentak::utf8_prefix(raw, max_chars);
  FUZZ_CHECK(raw.starts_with(prefix));
  FUZZ_CHECK(prefix.size() <= raw.size());
  if (prefix.size() < raw.size()) {
    // the cut is at a character boundary: what follows is not a continuation byte of a valid character
    std::size_t start = 0;
    std::size_t chars = 0;
    while (start < prefix.size()) {
      std::size_t len = serentak::utf8_sequence_length(raw.substr(start));
      start += len == 0 ? 1 : len;
      ++chars;
    }
    FUZZ_CHECK(start == prefix.size());
    FUZZ_CHECK(chars == max_chars);
  }
}

void check_records(std::string_view a, std::string_view b, std::size_t index) {
  serentak::result_record record;
  record.index = index;
  record.item = a;
  record.url = b;
  record.error = b;
  record.body = a;
  record.http_status = 200;
  record.kind = serentak::outcome::invalid_response;

  std::string jsonl = serentak::format_record(record, serentak::result_format::jsonl);
  FUZZ_CHECK(!jsonl.empty() && jsonl.back() == '\n');
  FUZZ_CHECK(jsonl.find('\n') == jsonl.size() - 1);
  FUZZ_CHECK(jsonl.find('\r') == std::string::npos);
  auto parsed = nlohmann::json::parse(std::string_view(jsonl).substr(0, jsonl.size() - 1), nullptr, false);
  FUZZ_CHECK(!parsed.is_discarded() && parsed.is_object());
  if (is_valid_utf8(a)) FUZZ_CHECK(parsed["item"].get<std::string>() == a);  // valid text is kept exactly
  FUZZ_CHECK(serentak::recorded_index(std::string_view(jsonl).substr(0, jsonl.size() - 1), serentak::result_format::jsonl) == index);

  std::string csv = serentak::format_record(record, serentak::result_format::csv);
  FUZZ_CHECK(!csv.empty() && csv.find('\n') == csv.size() - 1);
  FUZZ_CHECK(csv.find('\r') == std::string::npos);
  FUZZ_CHECK(serentak::recorded_index(std::string_view(csv).substr(0, csv.size() - 1), serentak::result_format::csv) == index);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  check_escape(text);
  check_prefix(text, size == 0 ? 0 : data[0] % 16);
  check_prefix(text, 100);
  std::size_t half = size / 2;
  check_records(text.substr(0, half), text.substr(half), size * 7919);
  return 0;
}
